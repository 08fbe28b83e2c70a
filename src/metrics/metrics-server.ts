import { createServer, type Server } from 'node:http';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { metricsConfig, type MetricsConfig } from '../config/metrics.config.js';
import { hasMetricsToken, METRICS_REALM } from './metrics-token.js';
import { MetricsService } from './metrics.service.js';

/**
 * METRICS_PORT: a listener of its own that serves GET /metrics and nothing else, for a scraper on a
 * private network (keep the port off the public one). With METRICS_TOKEN set it asks for the token too.
 */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MetricsServer.name);
  private server?: Server;

  constructor(
    private readonly metrics: MetricsService,
    @Inject(metricsConfig.KEY) private readonly config: MetricsConfig,
  ) {}

  /** The port it listens on (useful with METRICS_PORT=0), or undefined. */
  get port(): number | undefined {
    const address = this.server?.address();
    return typeof address === 'object' && address ? address.port : undefined;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.port === undefined) return;
    const { token } = this.config;
    const server = createServer((request, response) => {
      const path = (request.url ?? '').split('?')[0];
      if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
        response.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found\n');
        return;
      }
      if (token && !hasMetricsToken(request.headers.authorization, token)) {
        response
          .writeHead(401, { 'WWW-Authenticate': METRICS_REALM, 'Content-Type': 'text/plain' })
          .end('Unauthorized\n');
        return;
      }
      this.metrics.render().then(
        (body) =>
          response
            .writeHead(200, {
              'Content-Type': this.metrics.contentType(),
              'Cache-Control': 'no-store',
            })
            .end(request.method === 'HEAD' ? undefined : body),
        () => response.writeHead(500).end(),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.port, this.config.host, () => resolve());
    });
    this.server = server;
    this.logger.log(`Metrics on http://${this.config.host}:${this.port}/metrics`);
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
