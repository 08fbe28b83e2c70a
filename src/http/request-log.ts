import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { problemCodeOf } from '../common/errors/problem-code.js';
import type { Principal } from '../access/principal.js';
import { REDACTED, redactText, writePreparedLine } from './logging.js';

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

/** A JSON string member of the request line, its text redacted as the logger redacts every string. */
function member(name: string, text: string): string {
  return `,"${name}":${JSON.stringify(redactText(text))}`;
}

/**
 * One log line when the response is done: id, method, path, status, duration, user, and for a failure
 * the problem code; `error` for 5xx, `info` otherwise (a 4xx is the client's business, but an operator
 * asked why must be able to tell from the terminal). Called from the response's 'close' event.
 *
 * Built as JSON text here rather than through pino's object path: the line is the same eight fields on
 * every request, none of whose names is secret, and each string is redacted as `redact` would.
 * request-log.spec.ts checks that the line is the one `logger.info(fields, message)` writes.
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
  const userId = userIdOf(req);
  let members = `${member('reqId', id)}${member('method', method)}${member('path', path)},"status":${status},"durationMs":${durationMs}`;
  if (userId !== undefined) members += member('userId', userId);
  // Not `code`: a field of that name is masked as a one-time code by the logger.
  if (code !== undefined) members += member('problem', code);
  if (!res.writableFinished) members += ',"aborted":true';
  const message = `${method} ${path} ${status} ${durationMs}ms${code === undefined ? '' : ` ${code}`}`;
  writePreparedLine(logger, status >= 500 ? 'error' : 'info', members, message);
}
