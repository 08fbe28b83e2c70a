import { Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { metricsConfig } from '../config/metrics.config.js';
import { MetricsServer } from './metrics-server.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsService } from './metrics.service.js';

/** Prometheus metrics; MetricsService is global so any module can count what it does. */
@Global()
@Module({
  imports: [ConfigModule.forFeature(metricsConfig)],
  controllers: [MetricsController],
  providers: [MetricsService, MetricsServer],
  exports: [MetricsService, MetricsServer],
})
export class MetricsModule {}
