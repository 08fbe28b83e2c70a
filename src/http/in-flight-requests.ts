import type { ServerResponse } from 'node:http';

/** Requests whose response has not finished, so shutdown can wait for them (with a bound). */
export class InFlightRequests {
  private readonly responses = new Set<ServerResponse>();
  private waiters: Array<() => void> = [];
  private draining = false;

  get size(): number {
    return this.responses.size;
  }

  /** A response begins; `release` it when it closes (one 'close' listener per request does both jobs). */
  track(res: ServerResponse): void {
    this.responses.add(res);
    if (this.draining) res.setHeader('Connection', 'close');
  }

  release(res: ServerResponse): void {
    this.responses.delete(res);
    if (this.responses.size === 0 && this.waiters.length > 0) {
      for (const wake of this.waiters.splice(0)) wake();
    }
  }

  /** From now on every response, including those in flight, ends its keep-alive connection. */
  startDraining(): void {
    this.draining = true;
    for (const res of this.responses) if (!res.headersSent) res.setHeader('Connection', 'close');
  }

  /** Resolves true once no request is in flight, or false when `timeoutMs` passed first. */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.responses.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}
