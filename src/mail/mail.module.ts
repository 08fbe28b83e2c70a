import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { mailConfig } from '../config/mail.config.js';
import { twoFactorConfig } from '../config/two-factor.config.js';
import { MailLimits } from './mail-limits.js';
import { MailMessage } from './mail-message.entity.js';
import { MailMetrics } from './mail-metrics.js';
import { MailQueue, OutboxSecrets } from './mail-queue.js';
import { MailSender } from './mail-sender.js';
import { MailTransport } from './mail-transport.js';

/**
 * Mail delivery: the transactional outbox, its sender and the templates. Below the features: users,
 * auth and two-factor write mails through MailQueue; this module imports none of them.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([MailMessage]),
    ConfigModule.forFeature(mailConfig),
    ConfigModule.forFeature(twoFactorConfig),
  ],
  providers: [MailQueue, MailLimits, OutboxSecrets, MailMetrics, MailSender, MailTransport],
  exports: [MailQueue, MailLimits],
})
export class MailModule {}
