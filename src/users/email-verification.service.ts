import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, QueryFailedError } from 'typeorm';
import { SecurityEventsService } from '../audit/security-events.service.js';
import { AppError } from '../common/errors/app-error.js';
import { MailLimits } from '../mail/mail-limits.js';
import { MailQueue } from '../mail/mail-queue.js';
import { EmailTokens } from './email-tokens.js';
import { EmailVerificationMails } from './email-verification-mails.js';
import { UserCache } from './user-cache.js';
import { User } from './user.entity.js';
import { LoginAttemptsService } from '../login-attempts/login-attempts.service.js';
import { UsersService } from './users.service.js';

export interface MailClient {
  ip?: string;
  userAgent?: string;
}

/** What a bad, used, replaced or expired link token answers (400, as the contract says). */
export function invalidLinkToken(): AppError {
  return new AppError('INVALID_TOKEN', 'The link is invalid, expired or already used.', {
    status: 400,
  });
}

function isUniqueViolation(error: unknown): boolean {
  return (
    error instanceof QueryFailedError &&
    (error.driverError as { code?: string } | undefined)?.code === '23505'
  );
}

/**
 * Verifying an address and changing it: both through a link mailed to the address in question.
 * The address only changes when the link sent to the new one is used; a taken address is 409 then,
 * decided by the unique index (so two users racing for one address cannot both get it).
 */
@Injectable()
export class EmailVerificationService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly usersService: UsersService,
    private readonly mails: EmailVerificationMails,
    private readonly tokens: EmailTokens,
    private readonly limits: MailLimits,
    private readonly mail: MailQueue,
    private readonly cache: UserCache,
    private readonly events: SecurityEventsService,
    private readonly loginAttempts: LoginAttemptsService,
  ) {}

  /** A new verification mail; the older link stops working. Nothing when already verified or limited. */
  async resend(user: User, client: MailClient = {}): Promise<void> {
    if (user.emailVerified || !(await this.limits.allow(user.email))) return;
    await this.dataSource.transaction((manager) => this.mails.queue(manager, user));
    this.mail.wake();
    await this.events.record({ type: 'email.verification_requested', userId: user.id, ...client });
  }

  /**
   * POST /users/me/email: with the right password, a link to the new address and a notice to the
   * current one. Answers the same whether or not the new address is taken (that is told when the link
   * is used), so the route cannot be used to probe for accounts.
   */
  async requestChange(
    user: User,
    newEmail: string,
    password: string,
    client: MailClient = {},
  ): Promise<void> {
    // Like every password check, it counts towards the lockout (a stolen session cannot guess on).
    const withHash = await this.usersService.findWithPassword(user.id);
    const outcome = withHash
      ? await this.loginAttempts.check(
          user.id,
          client,
          () => this.usersService.checkPassword(withHash, password),
          'release',
          async (failure) => {
            if (failure === 'locked') await this.usersService.checkDummy(password);
          },
        )
      : 'wrong';
    if (outcome !== 'ok') {
      throw new AppError('INVALID_CREDENTIALS', 'The password is not correct.');
    }
    if (newEmail.toLowerCase() === user.email.toLowerCase()) {
      throw new AppError('VALIDATION_FAILED', 'That is already your address.', {
        errors: [{ field: 'new_email', message: 'new_email must differ from the current address' }],
      });
    }
    if (!(await this.limits.allow(newEmail))) return;
    await this.dataSource.transaction(async (manager) => {
      await this.mails.queue(manager, user, newEmail);
      await this.usersService.queueNotice(manager, user, 'email_change_requested', {
        new_email: newEmail,
      });
    });
    this.mail.wake();
    await this.events.record({
      type: 'email.change_requested',
      userId: user.id,
      ...client,
      details: { to: newEmail },
    });
  }

  /** POST /auth/email/verify: confirms the address, or applies the change the link was sent for. */
  async verify(token: unknown, client: MailClient = {}): Promise<void> {
    const outcome = await this.dataSource.transaction(async (manager) => {
      const found = await this.tokens.find(manager, token, ['verify_email', 'change_email']);
      const used = found && (await this.tokens.consume(manager, found));
      if (!used) throw invalidLinkToken();
      if (used.purpose === 'verify_email') {
        // Only the address the link was sent to: after a change, an old link verifies nothing.
        const result = await manager.update(
          User,
          { id: used.userId, email: used.email },
          { emailVerified: true },
        );
        if (!result.affected) throw invalidLinkToken();
        return { userId: used.userId, changedTo: undefined };
      }
      try {
        await manager.update(User, { id: used.userId }, { email: used.email, emailVerified: true });
      } catch (error) {
        if (isUniqueViolation(error)) throw new AppError('USER_EXISTS', 'That address is taken.');
        throw error;
      }
      // Links sent to the old address stop working with it.
      await this.tokens.revoke(manager, used.userId, 'verify_email');
      await this.tokens.revoke(manager, used.userId, 'password_reset');
      return { userId: used.userId, changedTo: used.email };
    });
    this.cache.invalidate(outcome.userId);
    await this.events.record(
      outcome.changedTo === undefined
        ? { type: 'email.verified', userId: outcome.userId, ...client }
        : {
            type: 'email.changed',
            userId: outcome.userId,
            ...client,
            details: { to: outcome.changedTo },
          },
    );
  }
}
