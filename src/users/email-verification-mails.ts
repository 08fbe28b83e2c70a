import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { mailConfig, type MailConfig } from '../config/mail.config.js';
import { MailQueue } from '../mail/mail-queue.js';
import { EmailTokens } from './email-tokens.js';

const HOUR_MS = 3_600_000;

/** Issues a verification token and queues its mail, in the caller's transaction. */
@Injectable()
export class EmailVerificationMails {
  constructor(
    @Inject(mailConfig.KEY) private readonly config: MailConfig,
    private readonly tokens: EmailTokens,
    private readonly mail: MailQueue,
  ) {}

  /** A link to confirm the current address (`verify_email`), or to change to a new one (`change_email`). */
  async queue(
    manager: EntityManager,
    user: { id: string; email: string; username: string },
    newEmail?: string,
  ): Promise<void> {
    const hours = this.config.emailVerificationTokenHours;
    const purpose = newEmail === undefined ? 'verify_email' : 'change_email';
    const to = newEmail ?? user.email;
    const { token, expiresAt } = await this.tokens.issue(
      manager,
      user.id,
      purpose,
      to,
      hours * HOUR_MS,
    );
    await this.mail.enqueue(manager, {
      kind: purpose,
      to,
      userId: user.id,
      token,
      params: { username: user.username, hours, expires_at: expiresAt.toISOString() },
    });
  }
}
