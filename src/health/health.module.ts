import { Module } from '@nestjs/common';
import { HealthController } from './health.controller.js';
import { Readiness } from './readiness.js';
import { RootController } from './root.controller.js';

@Module({
  controllers: [RootController, HealthController],
  providers: [Readiness],
  exports: [Readiness],
})
export class HealthModule {}
