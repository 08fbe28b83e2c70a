import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CredentialPolicy } from '../access/credential-policy.js';
import { twoFactorConfig, type TwoFactorConfig } from '../config/two-factor.config.js';
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
  providers: [
    TwoFactorService,
    TwoFactorClock,
    // REQUIRE_2FA_ROLES for the AuthorizationGuard, which applies it to every credential type.
    {
      provide: CredentialPolicy,
      inject: [twoFactorConfig.KEY],
      useFactory: (config: TwoFactorConfig) => new CredentialPolicy(config.requiredRoles),
    },
  ],
  exports: [TwoFactorService, CredentialPolicy],
})
export class TwoFactorModule {}
