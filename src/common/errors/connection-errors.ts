/**
 * Failures that say "the database cannot be reached right now", not "this request is wrong": the
 * client should retry (503 with Retry-After), the operator should look at the database.
 */

/** Socket-level errors from node (connection refused, reset, DNS, unreachable). */
const NETWORK_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
]);

/**
 * SQLSTATEs of a server going away or not taking connections: class 08 (connection exception),
 * 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now, 53300 too many connections.
 */
function isConnectionSqlState(code: string): boolean {
  return code.startsWith('08') || ['57P01', '57P02', '57P03', '53300'].includes(code);
}

/** node-postgres reports these without a code. */
const DRIVER_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /not queryable/,
  /^Cannot use a pool after calling end/,
  /^Client was closed and is not queryable/,
];

/**
 * TypeORM's errors for a transaction whose connection the driver dropped while it ran (the server went
 * away between two of its statements): the transaction is lost, nothing was committed. The query
 * runner says so itself, or the data source does when the transaction's manager asks it to query
 * through the released runner (`manager.query` inside `transaction()`).
 */
const DROPPED_CONNECTION_ERRORS = new Set([
  'QueryRunnerAlreadyReleasedError',
  'QueryRunnerProviderAlreadyReleasedError',
]);

function isConnectionFailureOnce(error: object): boolean {
  const { code, message, name } = error as { code?: unknown; message?: unknown; name?: unknown };
  if (typeof name === 'string' && DROPPED_CONNECTION_ERRORS.has(name)) return true;
  if (typeof code === 'string' && (NETWORK_ERRNOS.has(code) || isConnectionSqlState(code)))
    return true;
  return typeof message === 'string' && DRIVER_MESSAGES.some((pattern) => pattern.test(message));
}

/**
 * Whether an error (or what it wraps: TypeORM's `driverError`, a `cause`, an AggregateError's errors)
 * is a connection-class failure of the database.
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 4) return false;
  if (isConnectionFailureOnce(error)) return true;
  const { driverError, cause, errors } = error as {
    driverError?: unknown;
    cause?: unknown;
    errors?: unknown;
  };
  if (isDatabaseUnavailable(driverError, depth + 1) || isDatabaseUnavailable(cause, depth + 1))
    return true;
  return Array.isArray(errors) && errors.some((inner) => isDatabaseUnavailable(inner, depth + 1));
}

/** What a client is told to wait before retrying, in seconds. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 2;
