import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER, APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { ApiKeysModule } from './api-keys/api-keys.module.js';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { JwtAuthGuard } from './auth/guards.js';
import { ProblemDetailsFilter } from './common/errors/problem-details.filter.js';
import { AuthorizationGuard } from './access/authorization.guard.js';
import { AppThrottlerGuard, RequestThrottleGuard, throttlerOptions } from './common/throttling.js';
import { appConfig } from './config/app.config.js';
import { throttleConfig, type ThrottleConfig } from './config/throttle.config.js';
import { ConsoleModule } from './console/console.module.js';
import { DatabaseModule } from './database/database.module.js';
import { ExamplesModule } from './examples/examples.module.js';
import { HealthModule } from './health/health.module.js';
import { ItemsModule } from './items/items.module.js';
import { LimitsModule } from './limits/limits.module.js';
import { SharedLimiter } from './limits/shared-limiter.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { TwoFactorModule } from './two-factor/two-factor.module.js';
import { UsersModule } from './users/users.module.js';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [appConfig] }),
    DiscoveryModule,
    ThrottlerModule.forRootAsync({
      imports: [ConfigModule.forFeature(throttleConfig), LimitsModule],
      inject: [throttleConfig.KEY, SharedLimiter],
      useFactory: (config: ThrottleConfig, limiter: SharedLimiter) =>
        throttlerOptions(config, limiter),
    }),
    DatabaseModule,
    LimitsModule,
    MetricsModule,
    AuditModule,
    UsersModule,
    TwoFactorModule,
    AuthModule,
    ApiKeysModule,
    HealthModule,
    ExamplesModule,
    ItemsModule,
    ConsoleModule,
  ],
  providers: [
    // Global guards run in this order: rate limits (before any credential work), authentication
    // (bearer token, or X-API-Key where a route accepts keys), then roles and scopes.
    AppThrottlerGuard,
    { provide: APP_GUARD, useClass: RequestThrottleGuard },
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: AuthorizationGuard },
    { provide: APP_FILTER, useClass: ProblemDetailsFilter },
  ],
})
export class AppModule {}
