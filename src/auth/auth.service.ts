import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { OAuth2Error } from '../common/errors/oauth2-error.js';
import { effectivePermissions } from '../users/roles.js';
import type { User } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { grantScope } from './scope.js';
import { Session } from './session.entity.js';
import { hashToken, TokenService } from './token.service.js';

export interface ClientInfo {
  userAgent?: string;
  ip?: string;
}

export interface TokenResponse {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  refresh_token: string;
  scope: string;
}

const INVALID_CREDENTIALS = 'Invalid username or password.';
const INVALID_REFRESH = 'The refresh token is invalid, expired or already used.';

@Injectable()
export class AuthService {
  constructor(
    private readonly usersService: UsersService,
    private readonly tokens: TokenService,
    @InjectRepository(Session) private readonly sessions: Repository<Session>,
  ) {}

  /** The user behind a username-or-email and password, or undefined; the reason is never told. */
  async validateCredentials(username: string, password: string): Promise<User | undefined> {
    return (await this.usersService.authenticate(username, password)) ?? undefined;
  }

  async passwordGrant(
    username: string,
    password: string,
    requestedScope: string[] | undefined,
    client: ClientInfo,
  ): Promise<TokenResponse> {
    const user = await this.validateCredentials(username, password);
    if (!user) throw new OAuth2Error('invalid_grant', INVALID_CREDENTIALS);
    return this.openSession(user, requestedScope, client);
  }

  /** A new session (refresh-token family) with its first token pair. */
  async openSession(
    user: User,
    requestedScope: string[] | undefined,
    client: ClientInfo,
  ): Promise<TokenResponse> {
    const scope = grantScope(requestedScope, effectivePermissions(user.roles, user.permissions));
    const sessionId = randomUUID();
    const expiresAt = new Date(Date.now() + this.tokens.refreshTokenTtlSeconds * 1000);
    const refreshToken = this.tokens.signRefreshToken({ userId: user.id, sessionId, expiresAt });
    await this.sessions.insert({
      id: sessionId,
      userId: user.id,
      refreshTokenHash: hashToken(refreshToken),
      scope,
      expiresAt,
      userAgent: client.userAgent?.slice(0, 512) ?? null,
      ip: client.ip ?? null,
    });
    return this.tokenResponse(user, sessionId, scope, refreshToken);
  }

  /**
   * Rotates a refresh token. One conditional UPDATE decides: of two concurrent uses of one token, exactly
   * one matches the stored hash. A token that is genuine but no longer current was stolen or replayed,
   * so its whole session ends.
   */
  async refreshGrant(
    refreshToken: string,
    requestedScope: string[] | undefined,
  ): Promise<TokenResponse> {
    const claims = this.tokens.verifyRefreshToken(refreshToken);
    if (!claims) throw new OAuth2Error('invalid_grant', INVALID_REFRESH);

    const session = await this.sessions.findOneBy({ id: claims.sid, userId: claims.sub });
    if (!session || session.revokedAt || session.expiresAt.getTime() <= Date.now()) {
      throw new OAuth2Error('invalid_grant', INVALID_REFRESH);
    }
    const user = await this.usersService.findById(claims.sub);
    if (!user?.isActive) throw new OAuth2Error('invalid_grant', INVALID_REFRESH);

    // Never wider than first granted, nor than what the user holds now.
    const current: readonly string[] = effectivePermissions(user.roles, user.permissions);
    const scope = grantScope(
      requestedScope,
      session.scope.filter((s) => current.includes(s)),
    );

    const nextToken = this.tokens.signRefreshToken({
      userId: user.id,
      sessionId: session.id,
      expiresAt: session.expiresAt,
    });
    const rotated = await this.sessions
      .createQueryBuilder()
      .update()
      .set({ refreshTokenHash: hashToken(nextToken), lastUsedAt: () => 'now()' })
      .where(
        'id = :id AND refresh_token_hash = :hash AND revoked_at IS NULL AND expires_at > now()',
        {
          id: session.id,
          hash: hashToken(refreshToken),
        },
      )
      .execute();
    if (rotated.affected !== 1) {
      await this.revokeSession(session.id);
      throw new OAuth2Error('invalid_grant', INVALID_REFRESH);
    }
    return this.tokenResponse(user, session.id, scope, nextToken);
  }

  async revokeSession(sessionId: string): Promise<void> {
    await this.sessions
      .createQueryBuilder()
      .update()
      .set({ revokedAt: () => 'now()' })
      .where('id = :id AND revoked_at IS NULL', { id: sessionId })
      .execute();
  }

  private tokenResponse(
    user: User,
    sessionId: string,
    scope: string[],
    refreshToken: string,
  ): TokenResponse {
    return {
      access_token: this.tokens.signAccessToken({
        userId: user.id,
        sessionId,
        scope,
        roles: user.roles,
      }),
      token_type: 'bearer',
      expires_in: this.tokens.accessTokenTtlSeconds,
      refresh_token: refreshToken,
      scope: scope.join(' '),
    };
  }
}
