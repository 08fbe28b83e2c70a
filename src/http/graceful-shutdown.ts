import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { inFlightRequestsOf } from './http-hardening.js';

/**
 * Stops accepting connections, lets requests already in flight finish (at most `timeoutMs`), then
 * cuts whatever is left. Runs before `app.close()`, which closes the database pool: a request that is
 * still running must not lose its database under it.
 * Returns how many requests were cut off.
 */
export async function drainHttpServer(app: INestApplication, timeoutMs: number): Promise<number> {
  const server = app.getHttpServer() as Server;
  const inFlight = inFlightRequestsOf(app);
  inFlight.startDraining();
  server.close();
  server.closeIdleConnections();
  const drained = await inFlight.idle(timeoutMs);
  const cut = drained ? 0 : inFlight.size;
  server.closeAllConnections();
  return cut;
}
