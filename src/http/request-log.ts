import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { problemCodeOf } from '../common/errors/problem-code.js';
import type { Principal } from '../access/principal.js';
import { REDACTED } from './logging.js';

/** The framework's own request object (Fastify wraps the raw one), where guards attach the principal. */
export const FRAMEWORK_REQUEST = Symbol('gatehouse.frameworkRequest');

export type RawRequest = IncomingMessage & { [FRAMEWORK_REQUEST]?: { user?: unknown } };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Path for the log: no query string (old clients put tokens there), long opaque segments masked (the
 * logger's redaction then runs over the whole line as over every line).
 */
export function loggablePath(url: string | undefined): string {
  const path = (url ?? '/').split('?')[0];
  if (path.length < 32) return path;
  return path
    .split('/')
    .map((segment) => (segment.length >= 32 && !UUID.test(segment) ? REDACTED : segment))
    .join('/');
}

function userIdOf(req: RawRequest): string | undefined {
  const user = (req[FRAMEWORK_REQUEST] ?? (req as { user?: unknown })).user as
    Partial<Principal> | { id?: string } | undefined;
  if (!user) return undefined;
  if ('user' in user && user.user) return user.user.id;
  return 'id' in user ? user.id : undefined;
}

/**
 * One log line when the response is done: id, method, path, status, duration, user, and for a failure
 * the problem code; `error` for 5xx, `info` otherwise (a 4xx is the client's business, but an operator
 * asked why must be able to tell from the terminal). Called from the response's 'close' event.
 */
export function logRequestDone(
  req: RawRequest,
  res: ServerResponse,
  logger: Logger,
  id: string,
  started: bigint,
): void {
  const method = req.method ?? '-';
  const path = loggablePath(req.url);
  const durationMs = Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100;
  const status = res.statusCode;
  const code = problemCodeOf(res);
  const fields: Record<string, unknown> = {
    reqId: id,
    method,
    path,
    status,
    durationMs,
    userId: userIdOf(req),
  };
  // Not `code`: a field of that name is masked as a one-time code by the logger.
  if (code !== undefined) fields.problem = code;
  if (!res.writableFinished) fields.aborted = true;
  const message = `${method} ${path} ${status} ${durationMs}ms${code === undefined ? '' : ` ${code}`}`;
  if (status >= 500) logger.error(fields, message);
  else logger.info(fields, message);
}
