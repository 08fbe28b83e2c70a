import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AuditModule } from '../audit/audit.module.js';
import { MailModule } from '../mail/mail.module.js';
import { usersConfig } from '../config/users.config.js';
import { LoginAttemptsService } from './login-attempts.service.js';

/** The lockout: counts every check of a password or code (used by auth, two-factor and users). */
@Module({
  imports: [ConfigModule.forFeature(usersConfig), AuditModule, MailModule],
  providers: [LoginAttemptsService],
  exports: [LoginAttemptsService],
})
export class LoginAttemptsModule {}
