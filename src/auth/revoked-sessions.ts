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

/**
 * The ids of sessions revoked recently enough that one of their access tokens may still be unexpired:
 * checked on every authenticated request without a query. Loaded at start-up (and after any gap in
 * the notification connection), kept current by the sessions trigger's NOTIFY from every instance.
 * An entry is dropped once every access token of its session has expired. While the connection is
 * down the answer comes from the database instead.
 */
@Injectable()
export class RevokedSessions implements DatabaseEventListener {
  /** session id -> when its last access token expires at the latest (ms) */
  private readonly revoked = new Map<string, number>();
  private loaded = false;

  constructor(
    @InjectRepository(Session) private readonly sessions: Repository<Session>,
    private readonly events: DatabaseEvents,
    private readonly tokens: TokenService,
  ) {
    events.subscribe(this);
  }

  async isRevoked(sessionId: string): Promise<boolean> {
    if (this.loaded && this.events.connected) {
      const until = this.revoked.get(sessionId);
      if (until === undefined) return false;
      if (until > Date.now()) return true;
      this.revoked.delete(sessionId);
      return false;
    }
    const session = await this.sessions.findOne({
      where: { id: sessionId },
      select: { id: true, revokedAt: true },
    });
    return !session || session.revokedAt !== null;
  }

  /** Called by this instance right after it revokes, so its own next request never races the NOTIFY. */
  add(sessionId: string): void {
    this.revoked.set(sessionId, Date.now() + this.tokens.accessTokenTtlSeconds * 1000);
  }

  onEvent(channel: DatabaseChannel, payload: string): void {
    if (channel === SESSION_REVOKED_CHANNEL) this.add(payload);
  }

  async onResync(): Promise<void> {
    if (!this.events.connected) return;
    const ttl = this.tokens.accessTokenTtlSeconds;
    const rows: Array<{ id: string; until: Date }> = await this.sessions.query(
      `SELECT id, revoked_at + make_interval(secs => $1) AS until FROM sessions
       WHERE revoked_at IS NOT NULL AND revoked_at > now() - make_interval(secs => $1)`,
      [ttl],
    );
    // Merged, never replaced: an event that arrived while this query ran stays.
    for (const row of rows) this.revoked.set(row.id, row.until.getTime());
    for (const [id, until] of this.revoked) if (until <= Date.now()) this.revoked.delete(id);
    this.loaded = true;
  }
}
