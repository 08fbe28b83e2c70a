import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import {
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Public } from '../access/public.decorator.js';
import { AppError } from '../common/errors/app-error.js';
import { metricsConfig, type MetricsConfig } from '../config/metrics.config.js';
import { hasMetricsToken, METRICS_REALM } from './metrics-token.js';
import { MetricsService } from './metrics.service.js';

/**
 * Prometheus scrape endpoint. No user credential opens it (it is `@Public()` for the user guards):
 * only `Authorization: Bearer <METRICS_TOKEN>`. Without METRICS_TOKEN it is not served on this port.
 */
@ApiTags('service')
@Controller('metrics')
@Public()
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly adapterHost: HttpAdapterHost,
    @Inject(metricsConfig.KEY) private readonly config: MetricsConfig,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Prometheus metrics; needs `Authorization: Bearer <METRICS_TOKEN>`',
    description:
      'Not a user credential: only the METRICS_TOKEN opens it. 404 when METRICS_TOKEN is not set (use METRICS_PORT for a separate listener).',
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text exposition format' })
  @ApiUnauthorizedResponse({ description: 'Missing or wrong metrics token' })
  @ApiNotFoundResponse({ description: 'METRICS_TOKEN is not set' })
  async scrape(
    @Req() request: { headers: Record<string, unknown> },
    @Res() reply: unknown,
  ): Promise<void> {
    if (!this.config.token) throw new AppError('NOT_FOUND');
    if (!hasMetricsToken(request.headers.authorization, this.config.token)) {
      throw new AppError('UNAUTHENTICATED', 'The metrics token is missing or wrong.', {
        headers: { 'WWW-Authenticate': METRICS_REALM },
      });
    }
    const adapter = this.adapterHost.httpAdapter;
    adapter.setHeader(reply, 'Content-Type', this.metrics.contentType());
    adapter.setHeader(reply, 'Cache-Control', 'no-store');
    adapter.reply(reply, await this.metrics.render(), 200);
  }
}
