import type { RequestClient } from '../common/http/client-info.js';
import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, MoreThan, type Repository } from 'typeorm';
import { SecurityEventsService } from '../audit/security-events.service.js';
import { RevokedSessions } from './revoked-sessions.js';
import { Session } from './session.entity.js';
import { hashToken, TokenService } from './token.service.js';

export type ClientInfo = RequestClient;

export type RotateResult =
  | { outcome: 'rotated'; session: Session; refreshToken: string }
  | { outcome: 'invalid' }
  /** A genuine token of the session, but not its current one: replayed or stolen. The session is ended. */
  | { outcome: 'reused'; session: Session };

/** Active sessions a user may hold; a login beyond it ends the least recently used (docs/security.md). */
export const MAX_SESSIONS_PER_USER = 50;

/** Sessions are refresh-token families; this is the only code that writes them. */
@Injectable()
export class SessionsService {
  constructor(
    @InjectRepository(Session) private readonly sessions: Repository<Session>,
    private readonly tokens: TokenService,
    private readonly revoked: RevokedSessions,
    private readonly events: SecurityEventsService,
  ) {}

  async open(
    userId: string,
    scope: string[],
    client: ClientInfo,
  ): Promise<{ session: Session; refreshToken: string }> {
    const id = randomUUID();
    const expiresAt = new Date(Date.now() + this.tokens.refreshTokenTtlSeconds * 1000);
    const refreshToken = this.tokens.signRefreshToken({ userId, sessionId: id, expiresAt });
    const stored = {
      id,
      userId,
      scope,
      expiresAt,
      userAgent: client.userAgent?.slice(0, 512) ?? null,
      ip: client.ip ?? null,
    };
    // The INSERT returns what the database fills in (created_at, last_used_at): no read-back.
    const { generatedMaps } = await this.sessions.insert({
      ...stored,
      refreshTokenHash: hashToken(refreshToken),
    });
    const [{ createdAt, lastUsedAt }] = generatedMaps as Array<
      Pick<Session, 'createdAt' | 'lastUsedAt'>
    >;
    await this.endSessionsBeyondCap(userId, client);
    const session = this.sessions.create({ ...stored, createdAt, lastUsedAt, revokedAt: null });
    return { session, refreshToken };
  }

  /**
   * Keeps at most MAX_SESSIONS_PER_USER active sessions: one statement ends the least recently used
   * beyond the cap (the newest login is the most recent, so it stays). Concurrent logins each run it,
   * so the cap holds once they are all done.
   */
  private async endSessionsBeyondCap(userId: string, client: ClientInfo): Promise<void> {
    const [ended] = (await this.sessions.query(
      `UPDATE sessions SET revoked_at = now()
       WHERE id IN (
         SELECT id FROM sessions
         WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now()
         ORDER BY last_used_at DESC, created_at DESC
         OFFSET $2
       ) AND revoked_at IS NULL
       RETURNING id`,
      [userId, MAX_SESSIONS_PER_USER],
    )) as [Array<{ id: string }>, number];
    for (const { id } of ended) this.revoked.add(id);
    if (ended.length > 0) {
      await this.events.record({
        type: 'sessions.revoked',
        userId,
        ...client,
        details: { reason: 'session_cap', count: ended.length },
      });
    }
  }

  /**
   * Rotates a refresh token. One conditional UPDATE decides: of two concurrent uses of one token,
   * exactly one matches the stored hash. A genuine token that no longer matches ends its session.
   */
  async rotate(
    refreshToken: string,
    client: ClientInfo,
    beforeRotating: (session: Session) => Promise<void>,
  ): Promise<RotateResult> {
    const claims = this.tokens.verifyRefreshToken(refreshToken);
    if (!claims) return { outcome: 'invalid' };
    const session = await this.sessions.findOneBy({ id: claims.sid, userId: claims.sub });
    if (!session || session.revokedAt || session.expiresAt.getTime() <= Date.now())
      return { outcome: 'invalid' };
    // Checks that may refuse the refresh (user disabled, scope too wide) run before the token changes,
    // so a refused refresh leaves the client's current token valid.
    await beforeRotating(session);

    const next = this.tokens.signRefreshToken({
      userId: session.userId,
      sessionId: session.id,
      expiresAt: session.expiresAt,
    });
    const rotated = await this.sessions
      .createQueryBuilder()
      .update()
      .set({ refreshTokenHash: hashToken(next), lastUsedAt: () => 'now()' })
      .where(
        'id = :id AND refresh_token_hash = :hash AND revoked_at IS NULL AND expires_at > now()',
        {
          id: session.id,
          hash: hashToken(refreshToken),
        },
      )
      .execute();
    if (rotated.affected === 1) return { outcome: 'rotated', session, refreshToken: next };
    // One incident, one event: of a burst of replays, only the request that ends the session records it.
    if (await this.revoke(session.id)) {
      await this.events.record({
        type: 'refresh_token.reused',
        userId: session.userId,
        sessionId: session.id,
        ...client,
      });
    }
    return { outcome: 'reused', session };
  }

  /** The session a refresh token (current or not) belongs to, if the token is genuine. */
  sessionOfRefreshToken(token: string): { sessionId: string; userId: string } | undefined {
    const claims = this.tokens.verifyRefreshToken(token);
    return claims && { sessionId: claims.sid, userId: claims.sub };
  }

  /** Ends a session; its access tokens are refused from the next request on, on every instance. */
  async revoke(sessionId: string, userId?: string): Promise<boolean> {
    const result = await this.sessions
      .createQueryBuilder()
      .update()
      .set({ revokedAt: () => 'now()' })
      .where('id = :id AND revoked_at IS NULL', { id: sessionId })
      .andWhere(userId ? 'user_id = :userId' : 'TRUE', { userId })
      .execute();
    if (result.affected) this.revoked.add(sessionId);
    return Boolean(result.affected);
  }

  /** Ends every open session of the user except `keep`. */
  async revokeAllOf(userId: string, keep?: string): Promise<number> {
    const ended: Array<{ id: string }> = await this.sessions
      .query(
        `UPDATE sessions SET revoked_at = now()
       WHERE user_id = $1 AND revoked_at IS NULL AND ($2::uuid IS NULL OR id <> $2::uuid) RETURNING id`,
        [userId, keep ?? null],
      )
      .then((result: [Array<{ id: string }>, number]) => result[0]);
    for (const { id } of ended) this.revoked.add(id);
    return ended.length;
  }

  listActive(userId: string): Promise<Session[]> {
    return this.sessions.find({
      where: { userId, revokedAt: IsNull(), expiresAt: MoreThan(new Date()) },
      order: { lastUsedAt: 'DESC' },
    });
  }

  /** From the database, whatever any cache holds: not revoked and not past its absolute expiry. */
  async isLive(sessionId: string): Promise<boolean> {
    return this.sessions.exists({
      where: { id: sessionId, revokedAt: IsNull(), expiresAt: MoreThan(new Date()) },
    });
  }

  isRevoked(sessionId: string): Promise<boolean> {
    return this.revoked.isRevoked(sessionId);
  }
}
