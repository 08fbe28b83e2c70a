import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { authConfig } from '../config/auth.config.js';
import { TwoFactorModule } from '../two-factor/two-factor.module.js';
import { LoginAttemptsModule } from '../login-attempts/login-attempts.module.js';
import { UsersModule } from '../users/users.module.js';
import { AdminSessionsController } from './admin-sessions.controller.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { RevokedSessions } from './revoked-sessions.js';
import { SessionsController } from './sessions.controller.js';
import { SessionsService } from './sessions.service.js';
import { Session } from './session.entity.js';
import { JwtStrategy } from './strategies/jwt.strategy.js';
import { LocalStrategy } from './strategies/local.strategy.js';
import { TokenService } from './token.service.js';
import { TwoFactorLoginController } from './two-factor-login.controller.js';

@Module({
  imports: [
    UsersModule,
    TwoFactorModule,
    LoginAttemptsModule,
    PassportModule,
    JwtModule.register({}),
    TypeOrmModule.forFeature([Session]),
    ConfigModule.forFeature(authConfig),
  ],
  controllers: [
    AuthController,
    SessionsController,
    AdminSessionsController,
    TwoFactorLoginController,
  ],
  providers: [
    AuthService,
    SessionsService,
    RevokedSessions,
    TokenService,
    JwtStrategy,
    LocalStrategy,
  ],
})
export class AuthModule {}
