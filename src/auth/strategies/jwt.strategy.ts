import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { AnyPrincipal, Principal } from '../../access/principal.js';
import { OAuthClientsService } from '../../oauth-clients/oauth-clients.service.js';
import { effectivePermissions, grantedScopes } from '../../access/roles.js';
import { KeyedJwtVerifier } from '../jwt-verifier.js';
import { passwordChangedSince, type User } from '../../users/user.entity.js';
import { UsersService } from '../../users/users.service.js';
import { TwoFactorService } from '../../two-factor/two-factor.service.js';
import { RevokedSessions } from '../revoked-sessions.js';
import {
  type AccessTokenClaims,
  type ClientTokenClaims,
  type EnrollmentTokenClaims,
  hasTokenShape,
  TokenService,
} from '../token.service.js';
import { isUuid } from '../../common/uuid.js';
import { validateAtOnce } from '../run-strategy.js';

/** Access-token claims once their shape is checked. */
type AccessClaims = Partial<AccessTokenClaims> & {
  sub: string;
  sid: string;
  exp: number;
  scope: string;
};

type VerifyCallback = (error: Error | null, claims?: Record<string, unknown>) => void;
type PassportJwtVerifier = (
  token: string,
  secretOrKey: unknown,
  options: unknown,
  callback: VerifyCallback,
) => void;
const hook = Strategy as unknown as { JwtVerifier: PassportJwtVerifier };
const jsonwebtokenVerifier = hook.JwtVerifier;

/**
 * passport-jwt's verifier hook (`JwtStrategy.JwtVerifier`, process-wide): a strategy whose
 * `secretOrKey` is a KeyedJwtVerifier is verified by it (fast-jwt, key chosen by `kid`); anything else
 * keeps passport-jwt's own jsonwebtoken path.
 */
hook.JwtVerifier = (token, secretOrKey, options, callback) => {
  if (!(secretOrKey instanceof KeyedJwtVerifier)) {
    jsonwebtokenVerifier(token, secretOrKey, options, callback);
    return;
  }
  // Synchronous for a token it can verify now; the reload path only for an unknown kid.
  const claims = secretOrKey.verify(token);
  if (claims) {
    callback(null, claims);
    return;
  }
  secretOrKey.retryWithReloadedKeys(token).then(
    (claims) => (claims ? callback(null, claims) : callback(new Error('invalid token'))),
    () => callback(new Error('invalid token')),
  );
};

/**
 * Bearer access tokens: signature, algorithm allowlist, issuer, audience and expiry are checked by
 * the verifier behind passport-jwt's hook (TokenService.accessVerifier); the type claim and the
 * user's current state are checked here. The token's roles are
 * never trusted on their own: scopes are capped by the user's permissions as they are now.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    tokens: TokenService,
    private readonly usersService: UsersService,
    private readonly revokedSessions: RevokedSessions,
    private readonly twoFactor: TwoFactorService,
    private readonly clients: OAuthClientsService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // Not a key: the verifier the hook above hands the token to.
      secretOrKey: tokens.accessVerifier as unknown as string,
      ignoreExpiration: false,
    });
    validateAtOnce(this, '_verify');
  }

  /** A value when memory could answer (the usual access token), a promise when the database must. */
  validate(
    claims:
      Partial<AccessTokenClaims> | Partial<EnrollmentTokenClaims> | Partial<ClientTokenClaims>,
  ): AnyPrincipal | false | Promise<AnyPrincipal | false> {
    if ('client_id' in claims) return this.clientPrincipal(claims);
    if (claims.typ === 'mfa_enrollment') {
      return this.enrollmentPrincipal(claims as Partial<EnrollmentTokenClaims>);
    }
    return this.accessPrincipal(claims as Partial<AccessTokenClaims>);
  }

  /**
   * Both lookups are in memory, kept current by database notifications (see RevokedSessions,
   * UserCache), and then answered without a promise; either goes to the database when memory cannot
   * vouch for it (the notification connection down or catching up, a token older than memory covers).
   */
  private accessPrincipal(
    claims: Partial<AccessTokenClaims>,
  ): Principal | false | Promise<Principal | false> {
    if (!hasTokenShape(claims, 'access') || typeof claims.scope !== 'string') return false;
    const checked = claims as AccessClaims;
    const revoked = this.revokedSessions.revokedInMemory(checked.sid, checked);
    if (revoked === true) return false;
    const user =
      revoked === false ? this.usersService.findForRequestInMemory(checked.sub) : undefined;
    if (user === undefined) return this.accessPrincipalFromDatabase(checked);
    return this.principalOf(checked, user);
  }

  private async accessPrincipalFromDatabase(claims: AccessClaims): Promise<Principal | false> {
    if (await this.revokedSessions.isRevoked(claims.sid, claims)) return false;
    return this.principalOf(claims, await this.usersService.findForRequest(claims.sub));
  }

  private principalOf(claims: AccessClaims, user: User | null): Principal | false {
    if (!user?.isActive) return false;
    const scopes = grantedScopes(claims.scope, effectivePermissions(user.roles, user.permissions));
    // REQUIRE_2FA_ROLES is applied to every principal by the AuthorizationGuard (CredentialPolicy).
    const authTime = typeof claims.auth_time === 'number' ? claims.auth_time : undefined;
    return { user, via: 'jwt', scopes, sessionId: claims.sid, authTime };
  }

  /** Client credentials tokens: the client must still exist; its current scopes cap the token's. */
  private async clientPrincipal(claims: Partial<ClientTokenClaims>): Promise<AnyPrincipal | false> {
    if (
      claims.typ !== 'access' ||
      typeof claims.exp !== 'number' ||
      typeof claims.scope !== 'string' ||
      claims.client_id !== claims.sub ||
      !isUuid(claims.sub)
    ) {
      return false;
    }
    const client = await this.clients.findForRequest(claims.sub);
    if (!client) return false;
    const scopes = claims.scope.split(' ').filter((scope) => client.scopes.includes(scope));
    return { via: 'client', client: { id: client.id, name: client.name }, scopes };
  }

  /** Enrolment tokens: no session; worthless once the user has enrolled or no longer needs to. */
  private async enrollmentPrincipal(
    claims: Partial<EnrollmentTokenClaims>,
  ): Promise<Principal | false> {
    if (typeof claims.exp !== 'number' || !isUuid(claims.sub)) return false;
    const user = await this.usersService.findForRequest(claims.sub);
    if (!user?.isActive || !this.twoFactor.mustEnrol(user)) return false;
    // A password change or reset since the token was issued ends it (like a pending mfa_token).
    if (typeof claims.iat !== 'number' || passwordChangedSince(user, claims.iat * 1000)) {
      return false;
    }
    return { user, via: 'jwt', scopes: [], restriction: 'mfa_enrollment', authTime: claims.iat };
  }
}
