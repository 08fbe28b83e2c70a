import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { authConfig } from '../config/auth.config.js';
import { AdminSigningKeysController } from './admin-signing-keys.controller.js';
import { JwksController } from './jwks.controller.js';
import { SigningKey } from './signing-key.entity.js';
import { SigningKeysService } from './signing-keys.service.js';

/** The keys that sign access tokens: storage, rotation, the JWKS and the admin routes. */
@Module({
  imports: [TypeOrmModule.forFeature([SigningKey]), ConfigModule.forFeature(authConfig)],
  controllers: [JwksController, AdminSigningKeysController],
  providers: [SigningKeysService],
  exports: [SigningKeysService],
})
export class SigningKeysModule {}
