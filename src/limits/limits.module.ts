import { Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { throttleConfig } from '../config/throttle.config.js';
import { SharedLimiter } from './shared-limiter.js';

/** Counters shared by every instance (PostgreSQL, or Redis with REDIS_URL); global, like metrics. */
@Global()
@Module({
  imports: [ConfigModule.forFeature(throttleConfig)],
  providers: [SharedLimiter],
  exports: [SharedLimiter],
})
export class LimitsModule {}
