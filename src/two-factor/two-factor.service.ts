import { hash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, IsNull, type Repository } from 'typeorm';
import { SecurityEventsService } from '../audit/security-events.service.js';
import { AppError } from '../common/errors/app-error.js';
import type { RequestClient } from '../common/http/client-info.js';
import { twoFactorConfig, type TwoFactorConfig } from '../config/two-factor.config.js';
import { mustEnrolTwoFactor } from '../access/credential-policy.js';
import { LoginAttemptsService } from '../login-attempts/login-attempts.service.js';
import { passwordChangedSince, User } from '../users/user.entity.js';
import { type LoginClient, UsersService } from '../users/users.service.js';
import { MfaChallenge } from './mfa-challenge.entity.js';
import { RecoveryCode } from './recovery-code.entity.js';
import { SECRET_BOX_PURPOSES, SecretBox } from '../common/secret-box.js';
import {
  hashRecoveryCode,
  matchTotp,
  newRecoveryCode,
  newTotpSecret,
  otpauthUrl,
  RECOVERY_CODE_COUNT,
} from './totp.js';
import { TwoFactorClock } from './two-factor-clock.js';
import { TwoFactorCredential } from './two-factor-credential.entity.js';

/** The QR code library, loaded by the first enrolment: most processes never draw one. */
function qrCodes(): Promise<typeof import('qrcode')> {
  return import('qrcode').then((module) => module.default);
}

/** How long the client has between a correct password and its code. */
export const MFA_TOKEN_TTL_SECONDS = 300;
/** Wrong codes one login attempt may send before its mfa_token dies. */
export const MFA_MAX_ATTEMPTS = 5;

export interface TwoFactorSetup {
  secret: string;
  otpauthUrl: string;
  qrCode: string;
}

/** A second factor: a TOTP code or a recovery code (the DTO makes sure it is exactly one). */
export type SecondFactor = { code: string } | { recoveryCode: string };

export interface CompletedChallenge {
  user: User;
  requestedScope: string[] | undefined;
}

function hashMfaToken(token: string): string {
  return hash('sha256', token, 'hex');
}

/**
 * TOTP enrolment, the second login step and recovery codes. Owns its tables; the user's
 * `two_factor_enabled` flag is written through UsersService in the same transaction.
 */
@Injectable()
export class TwoFactorService {
  private readonly box: SecretBox;

  constructor(
    @InjectRepository(TwoFactorCredential)
    private readonly credentials: Repository<TwoFactorCredential>,
    @InjectRepository(MfaChallenge) private readonly challenges: Repository<MfaChallenge>,
    @Inject(twoFactorConfig.KEY) private readonly config: TwoFactorConfig,
    private readonly usersService: UsersService,
    private readonly events: SecurityEventsService,
    private readonly clock: TwoFactorClock,
    private readonly loginAttempts: LoginAttemptsService,
  ) {
    this.box = new SecretBox(config.encryptionKey, SECRET_BOX_PURPOSES.twoFactor);
  }

  /**
   * REQUIRE_2FA_ROLES: a user holding one of those roles, or a role above one, who has not enrolled
   * gets no tokens, only a credential restricted to enrolment.
   */
  mustEnrol(user: Pick<User, 'roles' | 'twoFactorEnabled'>): boolean {
    return mustEnrolTwoFactor(user, this.config.requiredRoles);
  }

  /** A new pending secret (replacing any earlier pending one); nothing changes for logins yet. */
  async beginSetup(user: User): Promise<TwoFactorSetup> {
    await this.assertNotEnabled(user.id);
    const secret = await newTotpSecret();
    await this.credentials.upsert(
      {
        userId: user.id,
        pendingSecretEncrypted: this.box.seal(secret, user.id),
        pendingCreatedAt: new Date(),
      },
      ['userId'],
    );
    const url = await otpauthUrl(this.config.issuer, user.email, secret);
    return { secret, otpauthUrl: url, qrCode: await (await qrCodes()).toDataURL(url) };
  }

  /** The pending setup's QR code as PNG; 404 when no setup is pending. */
  async pendingQrCode(user: User): Promise<Buffer> {
    const row = await this.credentialRow(this.credentials.manager, user.id, false);
    if (!row?.pendingSecretEncrypted || row.enabledAt !== null) {
      throw new AppError(
        'NOT_FOUND',
        'No two-factor setup is pending: POST /auth/2fa/setup first.',
      );
    }
    const secret = this.box.open(row.pendingSecretEncrypted, user.id);
    const url = await otpauthUrl(this.config.issuer, user.email, secret);
    return (await qrCodes()).toBuffer(url, { type: 'png' });
  }

  /**
   * Turns two-factor on when the code matches the pending secret; returns the recovery codes, once.
   * The state is checked first (its answer does not depend on the code); then the code is checked
   * under the lockout, and a locked account gets the wrong-code answer whatever the code.
   */
  async enable(user: User, code: string, client: LoginClient): Promise<string[]> {
    const state = await this.credentialRow(this.credentials.manager, user.id, false);
    if (state?.enabledAt) throw new AppError('TWO_FACTOR_ALREADY_ENABLED');
    if (!state?.pendingSecretEncrypted) throw new AppError('TWO_FACTOR_SETUP_REQUIRED');
    const reservation = await this.loginAttempts.reserve(user.id, client);
    if (!reservation) throw new AppError('INVALID_TWO_FACTOR_CODE');
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    let wrongCode = false;
    try {
      await this.credentials.manager.transaction(async (manager) => {
        const row = await this.credentialRow(manager, user.id, true);
        if (row?.enabledAt) throw new AppError('TWO_FACTOR_ALREADY_ENABLED');
        if (!row?.pendingSecretEncrypted) throw new AppError('TWO_FACTOR_SETUP_REQUIRED');
        const secret = this.box.open(row.pendingSecretEncrypted, user.id);
        const step = await matchTotp(secret, code, this.clock.now(), null);
        if (step === undefined) {
          wrongCode = true;
          throw new AppError('INVALID_TWO_FACTOR_CODE');
        }
        await manager.update(
          TwoFactorCredential,
          { userId: user.id },
          {
            // Sealed again: the stored value says nothing about when the secret was created.
            secretEncrypted: this.box.seal(secret, user.id),
            pendingSecretEncrypted: null,
            pendingCreatedAt: null,
            enabledAt: new Date(),
            lastUsedStep: step,
          },
        );
        await manager.delete(RecoveryCode, { userId: user.id });
        await manager.insert(
          RecoveryCode,
          codes.map((c) => ({ userId: user.id, codeHash: hashRecoveryCode(c) })),
        );
        await this.usersService.setTwoFactorEnabled(manager, user.id, true);
      });
    } catch (error) {
      if (wrongCode) await this.loginAttempts.failed(reservation, client);
      else await this.loginAttempts.succeeded(reservation, 'release');
      throw error;
    }
    await this.loginAttempts.succeeded(reservation, 'release');
    this.usersService.forgetCached(user.id);
    await this.events.record({ type: '2fa.enabled', userId: user.id, ...client });
    return codes;
  }

  /**
   * Turning it off needs the password and a current code. Whether two-factor is on is answered first
   * (409, whatever the password); then a wrong password, a wrong code and a locked account all get
   * the same 400, and each failure counts towards the lockout.
   */
  async disable(user: User, password: string, code: string, client: LoginClient): Promise<void> {
    const state = await this.credentialRow(this.credentials.manager, user.id, false);
    if (!state?.secretEncrypted || state.enabledAt === null) {
      throw new AppError('TWO_FACTOR_NOT_ENABLED');
    }
    const refused = new AppError('INVALID_CREDENTIALS', 'The password or the code is not correct.');
    const reservation = await this.loginAttempts.reserve(user.id, client);
    if (!reservation) {
      await this.usersService.checkDummy(password);
      throw refused;
    }
    const passwordRight = await this.usersService.verifyPassword(user.id, password);
    const disabled = await this.credentials.manager.transaction(async (manager) => {
      const row = await this.credentialRow(manager, user.id, true);
      if (!row?.secretEncrypted || row.enabledAt === null) return false;
      // A wrong password spends no code: the code is only checked after a right password.
      if (!passwordRight || !(await this.acceptTotp(manager, row, code))) return false;
      await this.removeAll(manager, user.id);
      await this.usersService.queueNotice(manager, user, 'two_factor_disabled', { by: 'user' });
      return true;
    });
    if (!disabled) {
      await this.loginAttempts.failed(reservation, client);
      throw refused;
    }
    await this.loginAttempts.succeeded(reservation, 'release');
    this.usersService.forgetCached(user.id);
    this.usersService.wakeMail();
    await this.events.record({ type: '2fa.disabled', userId: user.id, ...client });
  }

  /** An admin turns a user's two-factor off (lost device). 204 whether or not it was on. */
  async adminReset(actorId: string, userId: string, client: RequestClient = {}): Promise<void> {
    const target = await this.usersService.checkCanManageUser(actorId, userId, 'write:users');
    const removed = await this.credentials.manager.transaction(async (manager) => {
      const had = await this.removeAll(manager, userId);
      if (had) {
        await this.usersService.queueNotice(manager, target, 'two_factor_disabled', {
          by: 'admin',
        });
      }
      return had;
    });
    this.usersService.forgetCached(userId);
    if (!removed) return;
    this.usersService.wakeMail();
    await this.events.record({ type: '2fa.reset', userId, actorId, ...client });
  }

  /** After a correct password: the opaque, single-use token for the second step. */
  async createChallenge(
    userId: string,
    requestedScope: string[] | undefined,
  ): Promise<{ mfaToken: string; expiresIn: number }> {
    const mfaToken = `mfa_${randomBytes(32).toString('base64url')}`;
    // The user's finished challenges go as new ones come, so the table stays small.
    await this.challenges
      .createQueryBuilder()
      .delete()
      .where('user_id = :userId AND (consumed_at IS NOT NULL OR expires_at <= now())', { userId })
      .execute();
    await this.challenges.insert({
      userId,
      tokenHash: hashMfaToken(mfaToken),
      requestedScope: requestedScope ?? null,
      expiresAt: new Date(Date.now() + MFA_TOKEN_TTL_SECONDS * 1000),
    });
    return { mfaToken, expiresIn: MFA_TOKEN_TTL_SECONDS };
  }

  /**
   * The second step. The account's lockout counter is reserved first (its own statement, before the
   * transaction takes a connection); then the challenge row is locked while the factor is checked, so
   * attempts on one mfa_token are counted one after the other and a right code consumes it exactly
   * once. Everything inside the transaction runs on its one connection. A wrong factor counts towards
   * the challenge's limit and the account lockout; a locked account gets the wrong-code answer
   * without its code being checked.
   */
  async completeChallenge(
    mfaToken: string,
    factor: SecondFactor,
    client: LoginClient,
  ): Promise<CompletedChallenge> {
    const hash = hashMfaToken(mfaToken);
    const pending = await this.challenges.findOne({
      where: { tokenHash: hash },
      select: { id: true, userId: true },
    });
    if (!pending) throw new AppError('INVALID_MFA_TOKEN');
    const reservation = await this.loginAttempts.reserve(pending.userId, client);
    const outcome = await this.challenges.manager.transaction(async (manager) => {
      const challenge = await manager
        .createQueryBuilder(MfaChallenge, 'challenge')
        .setLock('pessimistic_write')
        .where('challenge.tokenHash = :hash', { hash })
        .andWhere('challenge.consumedAt IS NULL AND challenge.expiresAt > now()')
        .andWhere('challenge.failedAttempts < :max', { max: MFA_MAX_ATTEMPTS })
        .getOne();
      if (!challenge) return { result: 'invalid' as const };
      const found = await manager.findOneBy(User, { id: challenge.userId });
      // A password change or reset since the first step ends the pending login.
      const user =
        found && !passwordChangedSince(found, challenge.createdAt.getTime()) ? found : null;
      const row =
        user?.isActive && user.twoFactorEnabled
          ? await this.credentialRow(manager, challenge.userId, true)
          : null;
      if (!user || !row?.secretEncrypted) {
        await manager.update(MfaChallenge, { id: challenge.id }, { consumedAt: () => 'now()' });
        return { result: 'invalid' as const };
      }
      const accepted =
        reservation !== null &&
        ('code' in factor
          ? await this.acceptTotp(manager, row, factor.code)
          : await this.spendRecoveryCode(manager, user.id, factor.recoveryCode));
      if (!accepted) {
        await manager.increment(MfaChallenge, { id: challenge.id }, 'failedAttempts', 1);
        return { result: 'wrong' as const, userId: user.id };
      }
      await manager.update(MfaChallenge, { id: challenge.id }, { consumedAt: () => 'now()' });
      return { result: 'ok' as const, user, requestedScope: challenge.requestedScope };
    });
    const reason = 'code' in factor ? 'totp' : 'recovery_code';
    if (outcome.result === 'wrong') {
      await this.events.record({
        type: 'login.failed',
        userId: outcome.userId,
        ip: client.ip,
        userAgent: client.userAgent,
        details: { reason: reservation ? reason : 'locked' },
      });
      if (reservation) await this.loginAttempts.failed(reservation, client);
      throw new AppError('INVALID_TWO_FACTOR_CODE');
    }
    if (outcome.result === 'invalid') {
      if (reservation) await this.loginAttempts.succeeded(reservation, 'release');
      throw new AppError('INVALID_MFA_TOKEN');
    }
    // A complete login: the failures before it no longer count.
    await this.loginAttempts.succeeded(reservation!, 'clear');
    if (reason === 'recovery_code') {
      await this.events.record({
        type: '2fa.recovery_code_used',
        userId: outcome.user.id,
        ...client,
        details: { remaining: await this.remainingRecoveryCodes(outcome.user.id) },
      });
    }
    return { user: outcome.user, requestedScope: outcome.requestedScope ?? undefined };
  }

  /** Ends the user's pending second login steps (their mfa_tokens stop working), in the caller's transaction. */
  async endChallenges(manager: EntityManager, userId: string): Promise<void> {
    await manager.delete(MfaChallenge, { userId });
  }

  /** How many unused recovery codes the user has left. */
  async remainingRecoveryCodes(userId: string): Promise<number> {
    return this.credentials.manager.count(RecoveryCode, {
      where: { userId, usedAt: IsNull() },
    });
  }

  private async assertNotEnabled(userId: string): Promise<void> {
    const row = await this.credentials.findOneBy({ userId });
    if (row?.enabledAt) throw new AppError('TWO_FACTOR_ALREADY_ENABLED');
  }

  private credentialRow(
    manager: EntityManager,
    userId: string,
    lock: boolean,
  ): Promise<TwoFactorCredential | null> {
    const query = manager
      .createQueryBuilder(TwoFactorCredential, 'credential')
      .addSelect(['credential.secretEncrypted', 'credential.pendingSecretEncrypted'])
      .where('credential.userId = :userId', { userId });
    if (lock) query.setLock('pessimistic_write');
    return query.getOne();
  }

  /**
   * A code of the current or previous step, of a later step than the last one accepted; that step is
   * then recorded, so the code (and any earlier one) never works again. Runs with the row locked.
   */
  private async acceptTotp(
    manager: EntityManager,
    row: TwoFactorCredential,
    code: string,
  ): Promise<boolean> {
    if (!row.secretEncrypted) return false;
    const secret = this.box.open(row.secretEncrypted, row.userId);
    const step = await matchTotp(secret, code, this.clock.now(), row.lastUsedStep);
    if (step === undefined) return false;
    const result = await manager
      .createQueryBuilder()
      .update(TwoFactorCredential)
      .set({ lastUsedStep: step })
      .where('user_id = :userId AND (last_used_step IS NULL OR last_used_step < :step)', {
        userId: row.userId,
        step,
      })
      .execute();
    return result.affected === 1;
  }

  /** One conditional UPDATE: a recovery code is spent exactly once. */
  private async spendRecoveryCode(
    manager: EntityManager,
    userId: string,
    code: string,
  ): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(RecoveryCode)
      .set({ usedAt: () => 'now()' })
      .where('user_id = :userId AND code_hash = :hash AND used_at IS NULL', {
        userId,
        hash: hashRecoveryCode(code),
      })
      .execute();
    return result.affected === 1;
  }

  /** Everything two-factor of a user, and the flag; true when there was something to remove. */
  private async removeAll(manager: EntityManager, userId: string): Promise<boolean> {
    const removed = await manager.delete(TwoFactorCredential, { userId });
    await manager.delete(RecoveryCode, { userId });
    await manager.delete(MfaChallenge, { userId });
    await this.usersService.setTwoFactorEnabled(manager, userId, false);
    return Boolean(removed.affected);
  }
}
