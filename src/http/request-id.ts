import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** In lower case, as Fastify keeps header names: one it need not lower-case costs no new string a response. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** What a caller may choose as its request id: short, printable, no spaces or separators to forge log lines with. */
const SANE_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:@/+=-]{0,127}$/;

type WithId = IncomingMessage & { id?: string };

/**
 * The request's id: the caller's `X-Request-Id` when it is a sane value (so a trace spans the proxy
 * and the app), a fresh UUID otherwise. Computed once and kept on the raw request, where Fastify's
 * `genReqId`, the request log and the error filter all find the same value.
 */
export function requestIdOf(req: IncomingMessage): string {
  const carrier = req as WithId;
  if (typeof carrier.id === 'string' && carrier.id) return carrier.id;
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && SANE_REQUEST_ID.test(given) ? given : randomUUID();
  carrier.id = id;
  return id;
}
