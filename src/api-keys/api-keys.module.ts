import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UsersModule } from '../users/users.module.js';
import { AdminApiKeysController } from './admin-api-keys.controller.js';
import { ApiKeyCache } from './api-key-cache.js';
import { ApiKey } from './api-key.entity.js';
import { ApiKeyStrategy } from './api-key.strategy.js';
import { ApiKeysController } from './api-keys.controller.js';
import { ApiKeysService } from './api-keys.service.js';

/** API keys: storage, management routes and the `X-API-Key` strategy. Depends on users only. */
@Module({
  imports: [UsersModule, TypeOrmModule.forFeature([ApiKey])],
  controllers: [ApiKeysController, AdminApiKeysController],
  providers: [ApiKeysService, ApiKeyCache, ApiKeyStrategy],
  /** Run by the global JwtAuthGuard (registered in AppModule) for routes that accept `X-API-Key`. */
  exports: [ApiKeyStrategy],
})
export class ApiKeysModule {}
