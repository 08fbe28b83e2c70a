import type { INestApplication } from '@nestjs/common';
import { MetricsService } from './metrics.service.js';

/** Requests that matched no route share one label, so probing random paths cannot grow the series. */
const UNMATCHED = 'unmatched';

interface FastifyLike {
  addHook(
    name: 'onResponse',
    hook: (
      request: { method: string; routeOptions?: { url?: string } },
      reply: { statusCode: number; elapsedTime: number },
      done: () => void,
    ) => void,
  ): void;
}

interface ExpressRequest {
  method: string;
  baseUrl?: string;
  route?: { path?: string };
}
interface ExpressResponse {
  statusCode: number;
  once(event: 'finish', listener: () => void): void;
}

/**
 * Times every request by route template (`/admin/users/:id`) and status, whichever guard, pipe or
 * filter answered it: hooked into the HTTP adapter itself, before Nest registers its routes.
 */
export function installHttpMetrics(app: INestApplication, adapter: 'fastify' | 'express'): void {
  const histogram = app.get(MetricsService).httpDuration;
  const instance: unknown = app.getHttpAdapter().getInstance();
  if (adapter === 'fastify') {
    (instance as FastifyLike).addHook('onResponse', (request, reply, done) => {
      histogram.observe(
        {
          method: request.method,
          route: request.routeOptions?.url ?? UNMATCHED,
          status: String(reply.statusCode),
        },
        reply.elapsedTime / 1000,
      );
      done();
    });
    return;
  }
  app.use((request: ExpressRequest, response: ExpressResponse, next: () => void) => {
    const start = process.hrtime.bigint();
    response.once('finish', () => {
      const route = request.route?.path
        ? `${request.baseUrl ?? ''}${request.route.path}`
        : UNMATCHED;
      histogram.observe(
        { method: request.method, route, status: String(response.statusCode) },
        Number(process.hrtime.bigint() - start) / 1e9,
      );
    });
    next();
  });
}
