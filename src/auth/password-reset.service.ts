import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { SecurityEventsService } from '../audit/security-events.service.js';
import { AppError } from '../common/errors/app-error.js';
import { mailConfig, type MailConfig } from '../config/mail.config.js';
import { LoginAttemptsService } from '../login-attempts/login-attempts.service.js';
import { MailLimits } from '../mail/mail-limits.js';
import { MailQueue } from '../mail/mail-queue.js';
import { TwoFactorService } from '../two-factor/two-factor.service.js';
import { EmailTokens } from '../users/email-tokens.js';
import { invalidLinkToken } from '../users/email-verification.service.js';
import type { User } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { AuthService, type ClientInfo } from './auth.service.js';

/** Who asked for a reset mail: the owner (forgot), an admin (their user id), or the CLI. */
export type ResetActor = { kind: 'self' } | { kind: 'admin'; id: string } | { kind: 'cli' };

/**
 * Password reset by mail. Requests answer the same whatever the address; the token is single-use,
 * only the newest works, and it expires after PASSWORD_RESET_TOKEN_MINUTES. Using it sets the password
 * (policy applies), lifts a lockout, ends every session and pending two-factor step, and sends a notice.
 */
@Injectable()
export class PasswordResetService {
  private readonly logger = new Logger(PasswordResetService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(mailConfig.KEY) private readonly config: MailConfig,
    private readonly usersService: UsersService,
    private readonly authService: AuthService,
    private readonly twoFactor: TwoFactorService,
    private readonly tokens: EmailTokens,
    private readonly limits: MailLimits,
    private readonly mail: MailQueue,
    private readonly events: SecurityEventsService,
    private readonly loginAttempts: LoginAttemptsService,
  ) {}

  /**
   * POST /auth/password/forgot. The lookup and the mail happen after the answer is sent, so the
   * request does the same work, and takes the same time, whether or not the address has an account.
   */
  forgot(email: string, client: ClientInfo = {}): void {
    setImmediate(() => {
      this.requestByEmail(email, client).catch((error: unknown) =>
        this.logger.error(`password reset request failed: ${(error as Error).message}`),
      );
    });
  }

  /**
   * Sends the user a reset mail (the admin route and `gatehouse users send-reset` come here). False when
   * nothing was sent: the account is disabled, or its address had its share of mails this hour.
   */
  async sendPasswordReset(
    userId: string,
    actor: ResetActor,
    client: ClientInfo = {},
  ): Promise<boolean> {
    const user =
      actor.kind === 'admin'
        ? await this.usersService.checkCanManageUser(actor.id, userId, 'write:users')
        : await this.usersService.findById(userId);
    if (!user) throw new AppError('NOT_FOUND', 'No such user.');
    return this.issue(user, actor, client);
  }

  /** POST /auth/password/reset. */
  async reset(token: unknown, newPassword: string, client: ClientInfo = {}): Promise<void> {
    const found = await this.tokens.find(this.dataSource.manager, token, ['password_reset']);
    const user = found && (await this.usersService.findById(found.userId));
    if (!found || !user?.isActive) throw invalidLinkToken();
    // The policy (400) before the token is used: a refused password leaves the link working.
    const passwordHash = await this.usersService.hashNewPassword(user, newPassword);
    await this.dataSource.transaction(async (manager) => {
      if (!(await this.tokens.consume(manager, found))) throw invalidLinkToken();
      await this.usersService.applyPasswordReset(manager, user, passwordHash);
      await this.twoFactor.endChallenges(manager, user.id);
    });
    this.usersService.forgetCached(user.id);
    this.mail.wake();
    await this.events.record({ type: 'password.reset', userId: user.id, ...client });
    // A reset proves the owner: every lock and counted failure of the account goes.
    if (await this.loginAttempts.clearAccount(user.id)) {
      await this.events.record({
        type: 'account.unlocked',
        userId: user.id,
        ...client,
        details: { by: 'password_reset' },
      });
    }
    await this.authService.endAllSessions(user.id, { client, reason: 'password_reset' });
  }

  private async requestByEmail(email: string, client: ClientInfo): Promise<void> {
    const user = await this.usersService.findByEmail(email);
    if (user) await this.issue(user, { kind: 'self' }, client);
  }

  private async issue(user: User, actor: ResetActor, client: ClientInfo): Promise<boolean> {
    if (!user.isActive || !(await this.limits.allow(user.email))) return false;
    const minutes = this.config.passwordResetTokenMinutes;
    await this.dataSource.transaction(async (manager) => {
      const { token, expiresAt } = await this.tokens.issue(
        manager,
        user.id,
        'password_reset',
        user.email,
        minutes * 60_000,
      );
      await this.mail.enqueue(manager, {
        kind: 'password_reset',
        to: user.email,
        userId: user.id,
        token,
        params: { username: user.username, minutes, expires_at: expiresAt.toISOString() },
      });
    });
    this.mail.wake();
    await this.events.record({
      type: 'password.reset_requested',
      userId: user.id,
      actorId: actor.kind === 'admin' ? actor.id : null,
      ...client,
      details: { by: actor.kind },
    });
    return true;
  }
}
