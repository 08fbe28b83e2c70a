import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { authConfig } from '../config/auth.config.js';
import { mailConfig } from '../config/mail.config.js';
import { OAuthClientsModule } from '../oauth-clients/oauth-clients.module.js';
import { SigningKeysModule } from '../signing-keys/signing-keys.module.js';
import { TwoFactorModule } from '../two-factor/two-factor.module.js';
import { LoginAttemptsModule } from '../login-attempts/login-attempts.module.js';
import { UsersModule } from '../users/users.module.js';
import { AdminSessionsController } from './admin-sessions.controller.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { DiscoveryController } from './discovery.controller.js';
import { IntrospectionService } from './introspection.service.js';
import { RevokedSessions } from './revoked-sessions.js';
import { SessionsController } from './sessions.controller.js';
import { SessionsService } from './sessions.service.js';
import { Session } from './session.entity.js';
import { JwtStrategy } from './strategies/jwt.strategy.js';
import { LocalStrategy } from './strategies/local.strategy.js';
import {
  AdminPasswordResetController,
  PasswordResetController,
} from './password-reset.controller.js';
import { PasswordResetPage } from './password-reset.page.js';
import { PasswordResetService } from './password-reset.service.js';
import { TokenService } from './token.service.js';
import { TwoFactorLoginController } from './two-factor-login.controller.js';

@Module({
  imports: [
    UsersModule,
    TwoFactorModule,
    LoginAttemptsModule,
    PassportModule,
    SigningKeysModule,
    OAuthClientsModule,
    TypeOrmModule.forFeature([Session]),
    ConfigModule.forFeature(authConfig),
    ConfigModule.forFeature(mailConfig),
  ],
  controllers: [
    AuthController,
    DiscoveryController,
    SessionsController,
    AdminSessionsController,
    TwoFactorLoginController,
    PasswordResetController,
    AdminPasswordResetController,
    PasswordResetPage,
  ],
  providers: [
    AuthService,
    IntrospectionService,
    SessionsService,
    RevokedSessions,
    TokenService,
    JwtStrategy,
    LocalStrategy,
    PasswordResetService,
  ],
  /**
   * PasswordResetService.sendPasswordReset is what `gatehouse users send-reset` calls; JwtStrategy is
   * run by the global JwtAuthGuard (registered in AppModule).
   */
  exports: [PasswordResetService, JwtStrategy],
})
export class AuthModule {}
