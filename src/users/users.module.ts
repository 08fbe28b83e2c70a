import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { mailConfig } from '../config/mail.config.js';
import { usersConfig } from '../config/users.config.js';
import { MailModule } from '../mail/mail.module.js';
import { AdminUsersController } from './admin-users.controller.js';
import { EmailToken } from './email-token.entity.js';
import { EmailTokenClock, EmailTokens } from './email-tokens.js';
import { EmailVerificationMails } from './email-verification-mails.js';
import { EmailVerificationService } from './email-verification.service.js';
import { EmailController } from './email.controller.js';
import { UserCache } from './user-cache.js';
import { User } from './user.entity.js';
import { UsersController } from './users.controller.js';
import { LoginAttemptsModule } from '../login-attempts/login-attempts.module.js';
import { UsersService } from './users.service.js';
import { VerifyEmailPage } from './verify-email.page.js';

@Module({
  imports: [
    TypeOrmModule.forFeature([User, EmailToken]),
    ConfigModule.forFeature(usersConfig),
    ConfigModule.forFeature(mailConfig),
    MailModule,
    LoginAttemptsModule,
  ],
  controllers: [UsersController, AdminUsersController, EmailController, VerifyEmailPage],
  providers: [
    UsersService,
    UserCache,
    EmailTokens,
    EmailTokenClock,
    EmailVerificationMails,
    EmailVerificationService,
  ],
  exports: [UsersService, EmailTokens, MailModule],
})
export class UsersModule {}
