import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { twoFactorConfig } from '../config/two-factor.config.js';
import { LoginAttemptsModule } from '../login-attempts/login-attempts.module.js';
import { UsersModule } from '../users/users.module.js';
import { AdminTwoFactorController } from './admin-two-factor.controller.js';
import { MfaChallenge } from './mfa-challenge.entity.js';
import { RecoveryCode } from './recovery-code.entity.js';
import { TwoFactorClock } from './two-factor-clock.js';
import { TwoFactorCredential } from './two-factor-credential.entity.js';
import { TwoFactorController } from './two-factor.controller.js';
import { TwoFactorService } from './two-factor.service.js';

/** TOTP and recovery codes. Depends on users only; auth uses it for the second login step. */
@Module({
  imports: [
    UsersModule,
    LoginAttemptsModule,
    TypeOrmModule.forFeature([TwoFactorCredential, RecoveryCode, MfaChallenge]),
    ConfigModule.forFeature(twoFactorConfig),
  ],
  controllers: [TwoFactorController, AdminTwoFactorController],
  providers: [TwoFactorService, TwoFactorClock],
  exports: [TwoFactorService],
})
export class TwoFactorModule {}
