import { ServerResponse } from 'node:http';

/** Lower case for the reason REQUEST_ID_HEADER is. */
export const PROCESS_TIME_HEADER = 'x-process-time';

const STARTED = Symbol('gatehouse.started');
type Timed = ServerResponse & { [STARTED]?: bigint };

const writeHead = ServerResponse.prototype.writeHead;

/** The `X-Process-Time` value: seconds since `started`, to the microsecond. */
export function secondsSince(started: bigint): string {
  return (Number(process.hrtime.bigint() - started) / 1e9).toFixed(6);
}

/** One function for all responses (no closure per request): stamps the time, then writes the head. */
function timedWriteHead(this: Timed, ...args: unknown[]): ServerResponse {
  const started = this[STARTED];
  if (started !== undefined && !this.headersSent) {
    this.setHeader(PROCESS_TIME_HEADER, secondsSince(started));
  }
  return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
}

/** `X-Process-Time` (seconds since `started`) on the response, set when its headers go out. */
export function stampProcessTime(res: ServerResponse, started: bigint): void {
  (res as Timed)[STARTED] = started;
  const current = res.writeHead;
  if (current === writeHead) {
    res.writeHead = timedWriteHead as typeof res.writeHead;
    return;
  }
  // Someone wrapped writeHead already: wrap theirs.
  res.writeHead = function (this: Timed, ...args: unknown[]) {
    if (!this.headersSent) {
      this.setHeader(PROCESS_TIME_HEADER, secondsSince(started));
    }
    return (current as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as typeof res.writeHead;
}
