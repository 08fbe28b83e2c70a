import { Inject, Injectable } from '@nestjs/common';
import { SecurityEventsService } from '../audit/security-events.service.js';
import {
  type ClientForRequest,
  OAuthClientsService,
} from '../oauth-clients/oauth-clients.service.js';
import type { ClientCredentials } from './client-authentication.js';
import { AppError } from '../common/errors/app-error.js';
import { OAuth2Error } from '../common/errors/oauth2-error.js';
import { mailConfig, type MailConfig } from '../config/mail.config.js';
import { LoginAttemptsService, unknownAccount } from '../login-attempts/login-attempts.service.js';
import { type SecondFactor, TwoFactorService } from '../two-factor/two-factor.service.js';
import { effectivePermissions } from '../access/roles.js';
import type { User } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { grantScope } from '../access/scope.js';
import type { Session } from './session.entity.js';
import { type ClientInfo, SessionsService } from './sessions.service.js';
import { TokenService } from './token.service.js';

export type { ClientInfo } from './sessions.service.js';

/** The client credentials grant's answer: no refresh token (RFC 6749 §4.4.3). */
export interface ClientTokenResponse {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  scope: string;
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
    private readonly sessions: SessionsService,
    private readonly tokens: TokenService,
    private readonly events: SecurityEventsService,
    private readonly twoFactor: TwoFactorService,
    @Inject(mailConfig.KEY) private readonly mailConfig: MailConfig,
    private readonly loginAttempts: LoginAttemptsService,
    private readonly clients: OAuthClientsService,
  ) {}

  /** The client whose credentials these are, or `invalid_client` (which part was wrong is not told). */
  async authenticateClient(credentials: ClientCredentials): Promise<ClientForRequest> {
    const client = await this.clients.authenticate(credentials.clientId, credentials.clientSecret);
    if (!client) throw new OAuth2Error('invalid_client', 'Client authentication failed.');
    return client;
  }

  /** RFC 6749 §4.4: a token for the client itself, its scope a subset of the client's. */
  async clientCredentialsGrant(
    credentials: ClientCredentials,
    requestedScope: string[] | undefined,
  ): Promise<ClientTokenResponse> {
    const client = await this.authenticateClient(credentials);
    const scope = grantScope(requestedScope, client.scopes);
    const { token, expiresIn } = this.tokens.signClientToken(client.id, scope);
    return {
      access_token: token,
      token_type: 'bearer',
      expires_in: expiresIn,
      scope: scope.join(' '),
    };
  }

  /**
   * The user behind a username-or-email and password, or undefined; the reason is never told.
   * Unknown user, wrong password, disabled and locked all answer undefined after the same work: one
   * look-up, one counting statement (an unknown name has a counter too), one bcrypt check (a dummy
   * one when there is nothing to check), one event. The counter is reserved before the check, so
   * the lock decision and the count are one statement (LoginAttemptsService).
   */
  async validateCredentials(
    username: string,
    password: string,
    client: ClientInfo,
  ): Promise<User | undefined> {
    const user = await this.usersService.findForLogin(username);
    const known = user?.passwordHash ? user : undefined;
    const fail = async (reason: string) => {
      // The identifier tried is not kept for unknown users: people type passwords into that field.
      await this.events.record({
        type: 'login.failed',
        userId: known?.id,
        ip: client.ip,
        userAgent: client.userAgent,
        details: { reason },
      });
    };
    const outcome = await this.loginAttempts.check(
      known ? known.id : unknownAccount(username),
      client,
      () =>
        known
          ? this.usersService.checkPassword(known, password)
          : this.usersService.checkDummy(password),
      // With two-factor on, the password is half a login: only the second step clears failures.
      known?.isActive && !known.twoFactorEnabled ? 'clear' : 'release',
      async (failure) => {
        // Nothing is checked when locked, but the same bcrypt work is done, so timing does not tell.
        if (failure === 'locked') await this.usersService.checkDummy(password);
        await fail(!known ? 'unknown_user' : failure === 'locked' ? 'locked' : 'password');
      },
    );
    if (outcome !== 'ok' || !known) return undefined;
    if (!known.isActive) {
      await fail('disabled');
      return undefined;
    }
    delete known.passwordHash;
    return known;
  }

  async passwordGrant(
    username: string,
    password: string,
    requestedScope: string[] | undefined,
    client: ClientInfo,
  ): Promise<TokenResponse> {
    const user = await this.validateCredentials(username, password, client);
    if (!user) throw new OAuth2Error('invalid_grant', INVALID_CREDENTIALS);
    return this.passwordLogin(user, requestedScope, client);
  }

  /**
   * What a correct password leads to: tokens; or, with two-factor on, 403 `mfa_required` and a
   * single-use mfa_token for POST /auth/2fa/verify; or, for a role that requires two-factor and a user
   * without it, 403 `mfa_enrollment_required` with a token that reaches the enrolment routes only.
   */
  async passwordLogin(
    user: User,
    requestedScope: string[] | undefined,
    client: ClientInfo,
  ): Promise<TokenResponse> {
    if (this.mailConfig.requireEmailVerification && !user.emailVerified) {
      throw new OAuth2Error(
        'email_not_verified',
        'Confirm your e-mail address first: open the link in the verification mail, or reset your password by mail (that confirms the address too).',
        403,
      );
    }
    // An impossible scope is refused now, not after the second factor.
    grantScope(requestedScope, effectivePermissions(user.roles, user.permissions));
    if (user.twoFactorEnabled) {
      const { mfaToken, expiresIn } = await this.twoFactor.createChallenge(user.id, requestedScope);
      throw new OAuth2Error(
        'mfa_required',
        'A second factor is required: POST /auth/2fa/verify with this mfa_token and a code.',
        403,
        { mfa_token: mfaToken, expires_in: expiresIn },
      );
    }
    if (this.twoFactor.mustEnrol(user)) {
      const { token, expiresIn } = this.tokens.signEnrollmentToken(user.id);
      throw new OAuth2Error(
        'mfa_enrollment_required',
        'Your role requires two-factor authentication: enrol through /auth/2fa/setup and /auth/2fa/enable with this enrollment_token as the bearer token, then sign in again.',
        403,
        { enrollment_token: token, token_type: 'bearer', expires_in: expiresIn },
      );
    }
    return this.openSession(user, requestedScope, client);
  }

  /** The second login step: a right TOTP or recovery code for a live mfa_token opens the session. */
  async completeTwoFactorLogin(
    mfaToken: string,
    factor: SecondFactor,
    client: ClientInfo,
  ): Promise<TokenResponse> {
    const { user, requestedScope } = await this.twoFactor.completeChallenge(
      mfaToken,
      factor,
      client,
    );
    return this.openSession(user, requestedScope, client);
  }

  /** A new session (refresh-token family) with its first token pair. */
  async openSession(
    user: User,
    requestedScope: string[] | undefined,
    client: ClientInfo,
  ): Promise<TokenResponse> {
    const scope = grantScope(requestedScope, effectivePermissions(user.roles, user.permissions));
    const { session, refreshToken } = await this.sessions.open(user.id, scope, client);
    // The client completed a login: from now on its own failures count apart from strangers'.
    client.issuedDevice = await this.loginAttempts.rememberDevice(user.id, client.device);
    await this.events.record({
      type: 'login.succeeded',
      userId: user.id,
      sessionId: session.id,
      ...client,
      details: { scope: scope.join(' ') },
    });
    return this.tokenResponse(user, session, scope, refreshToken);
  }

  /** Rotates the refresh token; the scope may narrow, never widen past the first grant or what the user holds now. */
  async refreshGrant(
    refreshToken: string,
    requestedScope: string[] | undefined,
    client: ClientInfo = {},
  ): Promise<TokenResponse> {
    const granted: { user?: User; scope: string[] } = { scope: [] };
    const result = await this.sessions.rotate(refreshToken, client, async (session) => {
      const user = await this.usersService.findById(session.userId);
      if (!user?.isActive) throw new OAuth2Error('invalid_grant', INVALID_REFRESH);
      if (this.twoFactor.mustEnrol(user)) {
        throw new OAuth2Error(
          'invalid_grant',
          'Your role requires two-factor authentication: sign in with your password to enrol.',
        );
      }
      const current: readonly string[] = effectivePermissions(user.roles, user.permissions);
      granted.user = user;
      granted.scope = grantScope(
        requestedScope,
        session.scope.filter((s) => current.includes(s)),
      );
    });
    if (result.outcome !== 'rotated' || !granted.user)
      throw new OAuth2Error('invalid_grant', INVALID_REFRESH);
    await this.events.record({
      type: 'token.refreshed',
      userId: granted.user.id,
      sessionId: result.session.id,
      ...client,
    });
    return this.tokenResponse(granted.user, result.session, granted.scope, result.refreshToken);
  }

  /**
   * RFC 7009. The token proves itself: a genuine refresh token ends its session; a genuine access token
   * ends its session too (§2.1 allows revoking the refresh token with it), so it stops working at once.
   * Anything else is ignored: the answer is the same either way.
   */
  async revokeToken(
    token: string,
    hint: string | undefined,
    client: ClientInfo = {},
  ): Promise<void> {
    const asRefresh = () => this.sessions.sessionOfRefreshToken(token);
    const asAccess = () => this.tokens.sessionOfAccessToken(token);
    const owner =
      hint === 'access_token'
        ? ((await asAccess()) ?? asRefresh())
        : (asRefresh() ?? (await asAccess()));
    if (!owner && typeof (await this.tokens.verifyAccessKeyToken(token))?.client_id === 'string') {
      // A client's token has no session to end: say so rather than answer 200 and leave it working.
      throw new OAuth2Error(
        'unsupported_token_type',
        'Client-credentials tokens cannot be revoked one by one: delete the client, or let the token expire.',
      );
    }
    if (owner && (await this.sessions.revoke(owner.sessionId, owner.userId))) {
      await this.events.record({
        type: 'session.revoked',
        userId: owner.userId,
        sessionId: owner.sessionId,
        ...client,
        details: { reason: 'token_revocation' },
      });
    }
  }

  /** Ends the caller's current session. */
  async logout(userId: string, sessionId: string | undefined, client: ClientInfo): Promise<void> {
    if (!sessionId || !(await this.sessions.revoke(sessionId, userId))) return;
    await this.events.record({ type: 'logout', userId, sessionId, ...client });
  }

  /** Ends one of the caller's sessions; false when it is not theirs (or already ended). */
  async endSession(userId: string, sessionId: string, client: ClientInfo): Promise<boolean> {
    if (!(await this.sessions.revoke(sessionId, userId))) return false;
    await this.events.record({
      type: 'session.revoked',
      userId,
      sessionId,
      ...client,
      details: { reason: 'user' },
    });
    return true;
  }

  /** Ends every session of a user but `keep`; an admin's doing when `actorId` is given. */
  async endAllSessions(
    userId: string,
    options: { keep?: string; actorId?: string; client?: ClientInfo; reason: string },
  ): Promise<number> {
    const count = await this.sessions.revokeAllOf(userId, options.keep);
    await this.events.record({
      type: 'sessions.revoked',
      userId,
      actorId: options.actorId,
      sessionId: options.keep,
      ...options.client,
      details: { reason: options.reason, count },
    });
    return count;
  }

  /**
   * A wrong current password counts towards the lockout like a failed login, and a locked account
   * gets the same answer whatever the password. The new password's policy is checked first, so the
   * answer never tells whether the current password was right.
   */
  async changePassword(
    principal: User,
    currentSessionId: string | undefined,
    currentPassword: string,
    newPassword: string,
    client: ClientInfo = {},
  ): Promise<void> {
    const user = await this.usersService.findWithPassword(principal.id);
    if (!user) throw new AppError('INVALID_CREDENTIALS', 'The current password is not correct.');
    this.usersService.assertAcceptableNewPassword(user, newPassword);
    const outcome = await this.loginAttempts.check(
      user.id,
      client,
      () => this.usersService.checkPassword(user, currentPassword),
      'release',
      async (failure) => {
        if (failure === 'locked') await this.usersService.checkDummy(currentPassword);
        await this.events.record({
          type: 'password.change_failed',
          userId: user.id,
          sessionId: currentSessionId,
          ip: client.ip,
          userAgent: client.userAgent,
          details: { reason: failure === 'locked' ? 'locked' : 'current_password' },
        });
      },
    );
    if (outcome !== 'ok') {
      throw new AppError('INVALID_CREDENTIALS', 'The current password is not correct.');
    }
    await this.usersService.setPassword(user, newPassword);
    await this.events.record({
      type: 'password.changed',
      userId: user.id,
      sessionId: currentSessionId,
      ip: client.ip,
      userAgent: client.userAgent,
    });
    await this.endAllSessions(user.id, {
      keep: currentSessionId,
      client,
      reason: 'password_change',
    });
  }

  private tokenResponse(
    user: User,
    session: Session,
    scope: string[],
    refreshToken: string,
  ): TokenResponse {
    const accessToken = this.tokens.signAccessToken({
      userId: user.id,
      sessionId: session.id,
      scope,
      roles: user.roles,
      notAfter: session.expiresAt,
      // A session is opened by a password (and second-factor) login only; refreshes keep its start.
      authTime: session.createdAt,
    });
    return {
      access_token: accessToken.token,
      token_type: 'bearer',
      expires_in: accessToken.expiresIn,
      refresh_token: refreshToken,
      scope: scope.join(' '),
    };
  }
}
