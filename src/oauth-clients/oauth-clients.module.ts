import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AdminOAuthClientsController } from './admin-oauth-clients.controller.js';
import { OAuthClientCache } from './oauth-client-cache.js';
import { OAuthClient } from './oauth-client.entity.js';
import { OAuthClientsService } from './oauth-clients.service.js';

/** OAuth clients (client credentials grant): storage, admin routes, the per-request lookup. */
@Module({
  imports: [TypeOrmModule.forFeature([OAuthClient])],
  controllers: [AdminOAuthClientsController],
  providers: [OAuthClientsService, OAuthClientCache],
  exports: [OAuthClientsService],
})
export class OAuthClientsModule {}
