import { hash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { createSigner } from 'fast-jwt';
import { isUuid } from '../common/uuid.js';
import { authConfig, type AuthConfig, isHmacAlgorithm } from '../config/auth.config.js';
import { hmacKid, type JwtKey, SigningKeysService } from '../signing-keys/signing-keys.service.js';
import { KeyedJwtVerifier } from './jwt-verifier.js';

export type TokenType = 'access' | 'refresh';

/** Lifetime of the restricted token of a user who must enrol in two-factor (REQUIRE_2FA_ROLES). */
export const ENROLLMENT_TOKEN_TTL_SECONDS = 600;

/** Signed with the access key, but with its own type: it reaches the enrolment routes only. */
export interface EnrollmentTokenClaims {
  sub: string;
  jti: string;
  typ: 'mfa_enrollment';
  iat: number;
  exp: number;
  iss: string;
  aud: string;
}

export interface AccessTokenClaims {
  sub: string;
  sid: string;
  jti: string;
  typ: 'access';
  scope: string;
  roles: string[];
  /** When the user logged in with their password (OIDC `auth_time`): the session's start, kept through refreshes. */
  auth_time?: number;
  iat: number;
  exp: number;
  iss: string;
  aud: string;
}

/** The client credentials grant: the client is the subject; no session, no roles. */
export interface ClientTokenClaims {
  sub: string;
  client_id: string;
  jti: string;
  typ: 'access';
  scope: string;
  iat: number;
  exp: number;
  iss: string;
  aud: string;
}

export interface RefreshTokenClaims {
  sub: string;
  sid: string;
  jti: string;
  typ: 'refresh';
  iat: number;
  exp: number;
  iss: string;
  aud: string;
}

/**
 * What jsonwebtoken does not check: the token type, an `exp` at all (it only checks one that is
 * present, so a token without one would never expire), and uuid subject and session.
 */
export function hasTokenShape<
  C extends { sub?: unknown; sid?: unknown; exp?: unknown; typ?: unknown },
>(claims: C, type: TokenType): claims is C & { sub: string; sid: string; exp: number } {
  return (
    claims.typ === type &&
    typeof claims.exp === 'number' &&
    isUuid(claims.sub) &&
    isUuid(claims.sid)
  );
}

export function hashToken(token: string): string {
  return hash('sha256', token, 'hex');
}

/**
 * Signs and checks tokens. Access tokens (and the enrolment and client tokens that share their key) are
 * signed with the current signing key (SigningKeysService: SECRET_KEY, or a key pair); refresh tokens
 * are Gatehouse's alone and always HMAC with REFRESH_SECRET_KEY. Every header names its key (`kid`);
 * verification pins each key's algorithm, the issuer and the audience, and callers check `typ`, so no
 * token can stand in for another kind.
 */
@Injectable()
export class TokenService {
  /** Verifies access-key tokens; passport-jwt's verifier hook calls it (see jwt.strategy.ts). */
  readonly accessVerifier: KeyedJwtVerifier;
  private readonly refreshVerifier: KeyedJwtVerifier;
  private readonly refreshKey: JwtKey;
  private readonly signers = new Map<string, (payload: object) => string>();

  constructor(
    @Inject(authConfig.KEY) private readonly config: AuthConfig,
    readonly signingKeys: SigningKeysService,
  ) {
    const common = {
      issuer: config.issuer,
      audience: config.audience,
      clockToleranceSeconds: config.clockToleranceSeconds,
    };
    this.accessVerifier = new KeyedJwtVerifier({
      ...common,
      keys: () => signingKeys.verificationKeys(),
      version: () => signingKeys.version,
      keyWithoutKid: () => (signingKeys.usesKeyPairs ? undefined : signingKeys.signingKey()),
      reloadKeys: () => signingKeys.refreshForUnknownKid(),
    });
    // With a key-pair ALGORITHM, refresh tokens stay HMAC: nobody else ever verifies them.
    const refreshAlgorithm = isHmacAlgorithm(config.algorithm) ? config.algorithm : 'HS256';
    const refreshKeys = [config.refreshSecretKey, ...config.previousRefreshSecretKeys].map(
      (secret): JwtKey => ({ kid: hmacKid(secret), algorithm: refreshAlgorithm, key: secret }),
    );
    this.refreshKey = refreshKeys[0];
    this.refreshVerifier = new KeyedJwtVerifier({
      ...common,
      keys: () => refreshKeys,
      version: () => 0,
      keyWithoutKid: () => refreshKeys[0],
      // Each refresh token is presented once, then rotated: nothing to gain from remembering it.
      remember: false,
    });
  }

  get accessTokenTtlSeconds(): number {
    return this.config.accessTokenTtlSeconds;
  }

  get refreshTokenTtlSeconds(): number {
    return this.config.refreshTokenTtlSeconds;
  }

  /** An access token for a session; it never outlives the session (`notAfter`). */
  signAccessToken(input: {
    userId: string;
    sessionId: string;
    scope: string[];
    roles: string[];
    notAfter: Date;
    /** The password (and second-factor) login behind the session. */
    authTime: Date;
  }): { token: string; expiresIn: number } {
    const untilSessionEnd = Math.floor((input.notAfter.getTime() - Date.now()) / 1000);
    const expiresIn = Math.max(1, Math.min(this.config.accessTokenTtlSeconds, untilSessionEnd));
    const token = this.sign(
      this.signingKeys.signingKey(),
      input.userId,
      {
        sid: input.sessionId,
        typ: 'access',
        scope: input.scope.join(' '),
        roles: input.roles,
        auth_time: Math.floor(input.authTime.getTime() / 1000),
      },
      expiresIn,
    );
    return { token, expiresIn };
  }

  /** The client credentials grant's token: `sub` and `client_id` are the client's id. */
  signClientToken(clientId: string, scope: string[]): { token: string; expiresIn: number } {
    const expiresIn = this.config.accessTokenTtlSeconds;
    const token = this.sign(
      this.signingKeys.signingKey(),
      clientId,
      { client_id: clientId, typ: 'access', scope: scope.join(' ') },
      expiresIn,
    );
    return { token, expiresIn };
  }

  /**
   * For a user whose role requires two-factor and who has none yet: no session, no refresh token, no
   * scope; the JWT strategy turns it into a principal restricted to the enrolment routes.
   */
  signEnrollmentToken(userId: string): { token: string; expiresIn: number } {
    const expiresIn = Math.min(ENROLLMENT_TOKEN_TTL_SECONDS, this.config.accessTokenTtlSeconds);
    const token = this.sign(
      this.signingKeys.signingKey(),
      userId,
      { typ: 'mfa_enrollment' },
      expiresIn,
    );
    return { token, expiresIn };
  }

  /** Expires with its session (absolute lifetime), not later. */
  signRefreshToken(input: { userId: string; sessionId: string; expiresAt: Date }): string {
    const expiresIn = Math.max(1, Math.floor((input.expiresAt.getTime() - Date.now()) / 1000));
    return this.sign(
      this.refreshKey,
      input.userId,
      { sid: input.sessionId, typ: 'refresh' },
      expiresIn,
    );
  }

  /**
   * The claims of a genuinely signed, unexpired access-key token (any `typ`), or undefined; a kid this
   * instance has not heard of yet makes it reload the keys first, as a request would.
   */
  verifyAccessKeyToken(token: string): Promise<Record<string, unknown> | undefined> {
    return this.accessVerifier.verifyCurrent(token);
  }

  /**
   * The session of a genuine, unexpired access token (for revocation), or undefined. A kid this instance has not heard of yet (the notification
   * of a new key still on its way) makes it reload the keys, as a request would, so a revocation sent
   * to a lagging instance is not answered 200 with nothing revoked.
   */
  async sessionOfAccessToken(
    token: string,
  ): Promise<{ sessionId: string; userId: string } | undefined> {
    const claims = await this.accessVerifier.verifyCurrent(token);
    return claims && hasTokenShape(claims, 'access')
      ? { sessionId: claims.sid, userId: claims.sub }
      : undefined;
  }

  /** The claims of a valid refresh token, or undefined for anything else (expired, forged, wrong type). */
  verifyRefreshToken(token: string): RefreshTokenClaims | undefined {
    const claims = this.refreshVerifier.verify(token);
    return claims && hasTokenShape(claims, 'refresh')
      ? (claims as unknown as RefreshTokenClaims)
      : undefined;
  }

  private sign(key: JwtKey, subject: string, claims: object, expiresIn: number): string {
    let signer = this.signers.get(key.kid);
    if (!signer) {
      signer = createSigner({
        key: key.key,
        algorithm: key.algorithm,
        kid: key.kid,
      });
      this.signers.set(key.kid, signer);
    }
    const iat = Math.floor(Date.now() / 1000);
    return signer({
      ...claims,
      sub: subject,
      jti: randomUUID(),
      iss: this.config.issuer,
      aud: this.config.audience,
      iat,
      exp: iat + expiresIn,
    });
  }
}
