import { hash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { RequestClient } from '../common/http/client-info.js';
import { SecurityEventsService } from '../audit/security-events.service.js';
import { usersConfig, type UsersConfig } from '../config/users.config.js';
import { MailQueue } from '../mail/mail-queue.js';

/** Where a check of a secret came from: for the events, and the known-device cookie if sent. */
export type AttemptClient = Pick<RequestClient, 'ip' | 'userAgent' | 'device'>;

/** A check that may go ahead: it already counts as a failure until `succeeded` says otherwise. */
export interface Reservation {
  account: string;
  /** '' for the account's counter of unknown clients, else the known device's hash. */
  client: string;
  /** Failures in the window, this attempt included. */
  failures: number;
}

export type CheckOutcome = 'ok' | 'wrong' | 'locked';

/**
 * After a right secret: `clear` forgets the counter's failures (a complete login); `release` only
 * takes back this attempt's reservation (half a login: the password step of a two-factor login, or
 * a re-authentication), so earlier failures keep counting.
 */
export type OnSuccess = 'clear' | 'release';

/** Known devices kept per user (the least recently used go first). */
export const DEVICES_PER_USER = 20;
/** Rows whose window ended this long ago are swept, now and then. */
const SWEEP_EVERY_MS = 10 * 60_000;

const sha256 = (value: string) => hash('sha256', value, 'base64url');

/** The counter name of an identifier that matches no account: same statement, no account. */
export function unknownAccount(identifier: string): string {
  return `unknown:${sha256(identifier.toLowerCase())}`;
}

/**
 * The lockout (docs/security.md, "Lockout"). Every check of a password or a code first reserves a
 * place in the account's counter with one conditional statement; the lock decision and the count
 * are that one statement, so no burst, on one instance or many, gets more than LOCKOUT_THRESHOLD
 * checks per window, and a locked account's right secret is never checked.
 *
 * Two kinds of counter per account: one for clients the account does not know, and one per known
 * device (a client that completed a login and kept the `gatehouse_device` cookie it got). An
 * attacker's failures fill the first; the owner's known device has its own, so the attacker cannot
 * lock the owner out of it.
 */
@Injectable()
export class LoginAttemptsService {
  private nextSweepAt = 0;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(usersConfig.KEY) private readonly config: UsersConfig,
    private readonly events: SecurityEventsService,
    private readonly mail: MailQueue,
  ) {}

  get threshold(): number {
    return this.config.lockoutThreshold;
  }

  /**
   * Checks a secret under the lockout: `check` runs only when the counter allows one more attempt.
   * On a wrong secret, `recordFailure` (the caller's own event) runs first, then `account.locked` is
   * recorded when this failure reached the threshold. Not for use inside a transaction (`reserve`).
   */
  async check(
    account: string,
    client: AttemptClient,
    check: () => Promise<boolean>,
    onSuccess: OnSuccess,
    recordFailure: (outcome: 'wrong' | 'locked') => Promise<void>,
  ): Promise<CheckOutcome> {
    const reservation = await this.reserve(account, client);
    if (!reservation) {
      await recordFailure('locked');
      return 'locked';
    }
    if (await check()) {
      await this.succeeded(reservation, onSuccess);
      return 'ok';
    }
    await recordFailure('wrong');
    await this.failed(reservation, client);
    return 'wrong';
  }

  /**
   * One attempt's place in the counter, or null when the counter is locked. `db` runs the statement
   * on a transaction's own connection (never a second one from the pool while it is held).
   */
  async reserve(
    account: string,
    client: AttemptClient,
    db: Pick<EntityManager, 'query'> = this.dataSource,
  ): Promise<Reservation | null> {
    this.sweepNowAndThen();
    const device = client.device ? sha256(client.device) : '';
    const rows = (await db.query(
      `WITH counter AS (
         SELECT CASE WHEN EXISTS (
           SELECT 1 FROM known_devices WHERE token_hash = $2 AND user_id::text = $1
         ) THEN $2 ELSE '' END AS client
       )
       INSERT INTO login_attempts AS a (account, client, failures, window_ends_at)
       SELECT $1, counter.client, 1, now() + make_interval(mins => $4) FROM counter
       ON CONFLICT (account, client) DO UPDATE SET
         failures = CASE WHEN a.window_ends_at <= now() THEN 1 ELSE a.failures + 1 END,
         window_ends_at = CASE
           WHEN a.window_ends_at <= now() OR a.failures + 1 >= $3
             THEN now() + make_interval(mins => $4)
           ELSE a.window_ends_at END
       WHERE a.window_ends_at <= now() OR a.failures < $3
       RETURNING a.client, a.failures`,
      [account, device, this.config.lockoutThreshold, this.config.lockoutMinutes],
    )) as Array<{ client: string; failures: number }>;
    const row = rows[0];
    return row ? { account, client: row.client, failures: row.failures } : null;
  }

  /** The secret was right: see OnSuccess. */
  async succeeded(
    reservation: Reservation,
    onSuccess: OnSuccess,
    db: Pick<EntityManager, 'query'> = this.dataSource,
  ): Promise<void> {
    await db.query(
      onSuccess === 'clear'
        ? `DELETE FROM login_attempts WHERE account = $1 AND client = $2`
        : `UPDATE login_attempts SET failures = failures - 1
           WHERE account = $1 AND client = $2 AND failures > 0`,
      [reservation.account, reservation.client],
    );
  }

  /** The secret was wrong (it stays counted): `account.locked` when this one reached the threshold. */
  async failed(reservation: Reservation, client: AttemptClient): Promise<void> {
    if (reservation.failures !== this.config.lockoutThreshold) return;
    if (reservation.account.startsWith('unknown:')) return;
    await this.events.record({
      type: 'account.locked',
      userId: reservation.account,
      ip: client.ip,
      userAgent: client.userAgent,
      details: {
        minutes: this.config.lockoutMinutes,
        scope: reservation.client === '' ? 'unknown_clients' : 'device',
      },
    });
    await this.queueLockedNotice(reservation.account);
  }

  /** The owner hears of the lock, with the way out (a reset unlocks at once); never a token. */
  private async queueLockedNotice(userId: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const [user] = (await manager.query('SELECT email, username FROM users WHERE id = $1', [
        userId,
      ])) as Array<{ email: string; username: string }>;
      if (!user) return;
      await this.mail.enqueue(manager, {
        kind: 'account_locked',
        to: user.email,
        userId,
        params: { username: user.username, minutes: this.config.lockoutMinutes },
      });
    });
    this.mail.wake();
  }

  /**
   * Lifts every lock of the account and forgets its failures (an admin's unlock, a password reset).
   * True when something was locked or counted.
   */
  async clearAccount(userId: string): Promise<boolean> {
    const [, affected] = (await this.dataSource.query(
      `DELETE FROM login_attempts WHERE account = $1`,
      [userId],
    )) as [unknown, number];
    return affected > 0;
  }

  /**
   * The account's lock against clients it does not know: until when (null when not locked), and the
   * failures counted in the current window (for admin views; known devices have counters of their own).
   */
  async lockState(userId: string): Promise<{ lockedUntil: Date | null; failures: number }> {
    const rows = (await this.dataSource.query(
      `SELECT failures, window_ends_at FROM login_attempts
       WHERE account = $1 AND client = '' AND window_ends_at > now()`,
      [userId],
    )) as Array<{ failures: number; window_ends_at: Date }>;
    const row = rows[0];
    if (!row) return { lockedUntil: null, failures: 0 };
    const locked = row.failures >= this.config.lockoutThreshold;
    return { lockedUntil: locked ? row.window_ends_at : null, failures: row.failures };
  }

  /**
   * After a complete login: the device it came from is known to the account from now on. Returns a
   * new cookie value when the client had no valid one for this account (undefined otherwise).
   */
  async rememberDevice(userId: string, presented: string | undefined): Promise<string | undefined> {
    if (presented) {
      const [, touched] = (await this.dataSource.query(
        `UPDATE known_devices SET last_login_at = now() WHERE token_hash = $1 AND user_id = $2`,
        [sha256(presented), userId],
      )) as [unknown, number];
      if (touched > 0) return undefined;
    }
    const token = randomBytes(32).toString('base64url');
    // One statement: the DELETE reads the table as it was before this INSERT, so it keeps the
    // DEVICES_PER_USER - 1 most recent of the others and cannot see (or remove) the new device.
    await this.dataSource.query(
      `WITH added AS (INSERT INTO known_devices (token_hash, user_id) VALUES ($1, $2))
       DELETE FROM known_devices WHERE user_id = $2 AND token_hash NOT IN (
         SELECT token_hash FROM known_devices WHERE user_id = $2
         ORDER BY last_login_at DESC LIMIT $3)`,
      [sha256(token), userId, DEVICES_PER_USER - 1],
    );
    return token;
  }

  /** Counters whose window ended a day ago are gone, so unknown names do not pile up. */
  private sweepNowAndThen(): void {
    const now = Date.now();
    if (now < this.nextSweepAt) return;
    this.nextSweepAt = now + SWEEP_EVERY_MS;
    void this.dataSource
      .query(`DELETE FROM login_attempts WHERE window_ends_at < now() - interval '1 day'`)
      .catch(() => undefined);
  }
}
