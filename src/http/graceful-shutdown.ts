import type { IncomingMessage, Server } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { inFlightRequestsOf } from './http-hardening.js';

export interface DrainOptions {
  /**
   * How long the listener keeps serving after the signal (SHUTDOWN_GRACE_SECONDS): readiness already
   * answers 503, so load balancers take the instance out of rotation meanwhile, and every response
   * ends its keep-alive connection (`Connection: close`), so clients move to other instances.
   */
  graceMs: number;
  /** Then in-flight requests get at most this long to finish (SHUTDOWN_TIMEOUT_SECONDS). */
  timeoutMs: number;
}

/**
 * Drains the HTTP server in three steps. Runs before `app.close()`, which closes the database pool: a
 * request that is still running must not lose its database under it. The caller marks readiness as
 * failing first.
 * 1. Grace: keep accepting and serving, each response with `Connection: close`.
 * 2. Stop accepting new connections, but leave idle keep-alive connections open: a request a client
 *    sends on one is still served (with `Connection: close`) instead of meeting a reset. Node's own
 *    `server.close()` would close them at once, which is what reset clients before (issue 13).
 * 3. Wait for in-flight requests (bounded) and for connections accepted just before the listener closed
 *    to send their first request (at most FRESH_CONNECTION_MS), close idle connections, wait again for
 *    any request that arrived meanwhile, then cut whatever is left.
 * Returns how many requests were cut off.
 */
/** How long a connection accepted during the drain may take to send its first request. */
const FRESH_CONNECTION_MS = 1000;

/** Connections accepted since draining began that have not sent a request yet. */
function watchFreshConnections(server: Server): { settled(timeoutMs: number): Promise<void> } {
  const fresh = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    fresh.add(socket);
    socket.once('close', () => fresh.delete(socket));
  });
  server.on('request', (request: IncomingMessage) => fresh.delete(request.socket));
  return {
    async settled(timeoutMs: number) {
      const deadline = Date.now() + timeoutMs;
      while (fresh.size > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}

export async function drainHttpServer(
  app: INestApplication,
  { graceMs, timeoutMs }: DrainOptions,
): Promise<number> {
  const server = app.getHttpServer() as Server;
  const inFlight = inFlightRequestsOf(app);
  inFlight.startDraining();
  const freshConnections = watchFreshConnections(server);
  if (graceMs > 0) await new Promise((resolve) => setTimeout(resolve, graceMs));
  // net.Server's close: stops listening without http.Server's closeIdleConnections().
  NetServer.prototype.close.call(server);
  const deadline = Date.now() + timeoutMs;
  let drained = await inFlight.idle(timeoutMs);
  if (drained) {
    await freshConnections.settled(Math.min(FRESH_CONNECTION_MS, deadline - Date.now()));
    drained = await inFlight.idle(Math.max(0, deadline - Date.now()));
  }
  if (drained) {
    server.closeIdleConnections();
    drained = await inFlight.idle(Math.max(0, deadline - Date.now()));
  }
  const cut = drained ? 0 : inFlight.size;
  server.closeAllConnections();
  return cut;
}
