import { AsyncLocalStorage } from 'node:async_hooks';

/** Who is on the other end of the request being served: what every security event records. */
export interface RequestClient {
  ip?: string;
  userAgent?: string;
}

const storage = new AsyncLocalStorage<RequestClient>();

/**
 * Runs the rest of a request's handling with its client known, so code deep below a controller (the
 * audit log above all) can name the address and user agent without every call passing them down.
 * Installed by the HTTP layer for every request, whichever adapter.
 */
export function runWithRequestClient<T>(client: RequestClient, next: () => T): T {
  return storage.run(client, next);
}

/** The client of the request being served; undefined outside one (CLI, timers, start-up). */
export function currentRequestClient(): RequestClient | undefined {
  return storage.getStore();
}
