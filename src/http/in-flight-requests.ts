import type { ServerResponse } from 'node:http';

/** A tracked response's index in `InFlightRequests.responses`. */
const SLOT = Symbol('gatehouse.inFlightSlot');

type TrackedResponse = ServerResponse & { [SLOT]?: number };

/** Requests whose response has not finished, so shutdown can wait for them (with a bound). */
export class InFlightRequests {
  /**
   * Unordered; each response carries its index, so releasing one moves the last into its place. A Set
   * did the same job, but adding and deleting a new object on every request cost more than the whole
   * rest of this class in CPU profiles of the server.
   */
  private readonly responses: TrackedResponse[] = [];
  private waiters: Array<() => void> = [];
  private draining = false;
  private begun = 0;

  get size(): number {
    return this.responses.length;
  }

  /**
   * Requests begun since the process started. Under load `size` is 0 between I/O callbacks (a request
   * answered from memory begins and ends in one), so a change in this count is what tells a busy process.
   */
  get started(): number {
    return this.begun;
  }

  /** A response begins; `release` it when it closes (one 'close' listener per request does both jobs). */
  track(res: ServerResponse): void {
    const tracked = res as TrackedResponse;
    if (tracked[SLOT] !== undefined) return;
    tracked[SLOT] = this.responses.length;
    this.responses.push(tracked);
    this.begun++;
    if (this.draining) res.setHeader('Connection', 'close');
  }

  /** The response has closed. Releasing one that is not tracked (again, or never) changes nothing. */
  release(res: ServerResponse): void {
    const tracked = res as TrackedResponse;
    const slot = tracked[SLOT];
    if (slot === undefined || this.responses[slot] !== tracked) return;
    const last = this.responses.pop() as TrackedResponse;
    if (last !== tracked) {
      this.responses[slot] = last;
      last[SLOT] = slot;
    }
    tracked[SLOT] = undefined;
    if (this.responses.length === 0 && this.waiters.length > 0) {
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
    if (this.responses.length === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}
