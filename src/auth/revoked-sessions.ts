import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import {
  type DatabaseChannel,
  DatabaseEvents,
  type DatabaseEventListener,
  SESSION_REVOKED_CHANNEL,
} from '../database/database-events.js';
import { Session } from './session.entity.js';
import { TokenService } from './token.service.js';

/** Clocks of instances and database differ a little: entries are kept this much longer than needed. */
const CLOCK_MARGIN_MS = 60_000;

/** What the check needs of an access token: its own lifetime decides whether memory can answer. */
export interface AccessTokenTimes {
  /** Issued at, seconds since the epoch (JWT `iat`). */
  iat?: number;
  /** Expires at, seconds since the epoch (JWT `exp`). */
  exp: number;
}

/**
 * The ids of sessions revoked recently enough that one of their access tokens may still be unexpired:
 * checked on every authenticated request without a query. Loaded at start-up (and after any gap in
 * the notification connection), kept current by the sessions trigger's NOTIFY from every instance.
 *
 * An entry is kept for this instance's access-token lifetime after the revocation (plus a margin for
 * clocks), which covers every token this configuration issues: a token is issued before its session is
 * revoked, so it expires within one lifetime of the revocation. A token whose own lifetime (`exp` -
 * `iat`) is longer was issued under an earlier, longer ACCESS_TOKEN_EXPIRE_MINUTES (or by a replica
 * configured so): memory cannot vouch for it, so the database answers (issue 12, finding 5). Until the
 * notification connection is up and the reload after it has finished, the database answers too.
 */
@Injectable()
export class RevokedSessions implements DatabaseEventListener {
  /** session id -> until when an entry is kept (ms) */
  private readonly revoked = new Map<string, number>();

  constructor(
    @InjectRepository(Session) private readonly sessions: Repository<Session>,
    private readonly events: DatabaseEvents,
    private readonly tokens: TokenService,
  ) {
    events.subscribe(this);
  }

  async isRevoked(sessionId: string, token?: AccessTokenTimes): Promise<boolean> {
    const known = token ? this.revokedInMemory(sessionId, token) : undefined;
    if (known !== undefined) return known;
    const session = await this.sessions.findOne({
      where: { id: sessionId },
      select: { id: true, revokedAt: true },
    });
    return !session || session.revokedAt !== null;
  }

  /**
   * The answer from memory, without a promise, when memory covers this token and the events are
   * current; undefined when only the database can say (`isRevoked` asks it).
   */
  revokedInMemory(sessionId: string, token: AccessTokenTimes): boolean | undefined {
    if (!this.events.current || !this.memoryCovers(token)) return undefined;
    const until = this.revoked.get(sessionId);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    this.revoked.delete(sessionId);
    return false;
  }

  /** Called by this instance right after it revokes, so its own next request never races the NOTIFY. */
  add(sessionId: string): void {
    this.revoked.set(sessionId, Date.now() + this.retentionMs());
  }

  onEvent(channel: DatabaseChannel, payload: string): void {
    if (channel === SESSION_REVOKED_CHANNEL) this.add(payload);
  }

  async onResync(): Promise<void> {
    if (!this.events.connected) return;
    const retention = this.retentionMs() / 1000;
    const rows: Array<{ id: string; until: Date }> = await this.sessions.query(
      `SELECT id, revoked_at + make_interval(secs => $1) AS until FROM sessions
       WHERE revoked_at IS NOT NULL AND revoked_at > now() - make_interval(secs => $1)`,
      [retention],
    );
    // Merged, never replaced: an event that arrived while this query ran stays.
    for (const row of rows) this.revoked.set(row.id, row.until.getTime());
    for (const [id, until] of this.revoked) if (until <= Date.now()) this.revoked.delete(id);
  }

  private retentionMs(): number {
    return this.tokens.accessTokenTtlSeconds * 1000 + CLOCK_MARGIN_MS;
  }

  /** The token expires within the window the set remembers revocations for. */
  private memoryCovers(token: AccessTokenTimes): boolean {
    return (
      typeof token.iat === 'number' &&
      token.exp - token.iat <= this.tokens.accessTokenTtlSeconds &&
      token.exp * 1000 <= Date.now() + this.retentionMs()
    );
  }
}
