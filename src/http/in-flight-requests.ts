import type { ServerResponse } from 'node:http';

/** Counts requests whose response has not finished, so shutdown can wait for them (with a bound). */
export class InFlightRequests {
  private count = 0;
  private waiters: Array<() => void> = [];
  /** Set on shutdown: responses then carry `Connection: close`, so keep-alive clients move on. */
  draining = false;

  get size(): number {
    return this.count;
  }

  track(res: ServerResponse): void {
    this.count += 1;
    if (this.draining) res.setHeader('Connection', 'close');
    res.once('close', () => {
      this.count -= 1;
      if (this.count === 0) for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** Resolves true once no request is in flight, or false when `timeoutMs` passed first. */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.count === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}
