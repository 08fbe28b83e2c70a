import { createHash, createSecretKey, type KeyObject, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { isUuid } from '../common/uuid.js';
import { authConfig, type AuthConfig } from '../config/auth.config.js';

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
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Signs and checks tokens. Access and refresh tokens have different secrets and a `typ` claim, and
 * verification pins the algorithm, issuer and audience, so neither can stand in for the other.
 */
@Injectable()
export class TokenService {
  /**
   * Secret KeyObjects: given a string or Buffer, jsonwebtoken first tries to parse it as a public key on
   * every call. @nestjs/jwt's types say `string | Buffer`, jsonwebtoken itself accepts a KeyObject.
   */
  readonly accessKey: KeyObject;
  private readonly refreshKey: KeyObject;

  constructor(
    private readonly jwt: JwtService,
    @Inject(authConfig.KEY) private readonly config: AuthConfig,
  ) {
    this.accessKey = createSecretKey(Buffer.from(config.secretKey));
    this.refreshKey = createSecretKey(Buffer.from(config.refreshSecretKey));
  }

  get accessTokenTtlSeconds(): number {
    return this.config.accessTokenTtlSeconds;
  }

  get verifyOptions() {
    return {
      algorithms: [this.config.algorithm],
      issuer: this.config.issuer,
      audience: this.config.audience,
    };
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
    const token = this.jwt.sign(
      {
        sid: input.sessionId,
        typ: 'access',
        scope: input.scope.join(' '),
        roles: input.roles,
        auth_time: Math.floor(input.authTime.getTime() / 1000),
      },
      {
        secret: this.accessKey as unknown as Buffer,
        algorithm: this.config.algorithm,
        subject: input.userId,
        jwtid: randomUUID(),
        issuer: this.config.issuer,
        audience: this.config.audience,
        expiresIn,
      },
    );
    return { token, expiresIn };
  }

  /**
   * For a user whose role requires two-factor and who has none yet: no session, no refresh token, no
   * scope; the JWT strategy turns it into a principal restricted to the enrolment routes.
   */
  signEnrollmentToken(userId: string): { token: string; expiresIn: number } {
    const expiresIn = Math.min(ENROLLMENT_TOKEN_TTL_SECONDS, this.config.accessTokenTtlSeconds);
    const token = this.jwt.sign(
      { typ: 'mfa_enrollment' },
      {
        secret: this.accessKey as unknown as Buffer,
        algorithm: this.config.algorithm,
        subject: userId,
        jwtid: randomUUID(),
        issuer: this.config.issuer,
        audience: this.config.audience,
        expiresIn,
      },
    );
    return { token, expiresIn };
  }

  /** The session of a genuine, unexpired access token (for revocation), or undefined. */
  sessionOfAccessToken(token: string): { sessionId: string; userId: string } | undefined {
    const claims = this.verify<AccessTokenClaims>(token, this.accessKey, 'access');
    return claims && { sessionId: claims.sid, userId: claims.sub };
  }

  /** Expires with its session (absolute lifetime), not later. */
  signRefreshToken(input: { userId: string; sessionId: string; expiresAt: Date }): string {
    const expiresIn = Math.max(1, Math.floor((input.expiresAt.getTime() - Date.now()) / 1000));
    return this.jwt.sign(
      { sid: input.sessionId, typ: 'refresh' },
      {
        secret: this.refreshKey as unknown as Buffer,
        algorithm: this.config.algorithm,
        subject: input.userId,
        jwtid: randomUUID(),
        issuer: this.config.issuer,
        audience: this.config.audience,
        expiresIn,
      },
    );
  }

  /** The claims of a valid refresh token, or undefined for anything else (expired, forged, wrong type). */
  verifyRefreshToken(token: string): RefreshTokenClaims | undefined {
    return this.verify<RefreshTokenClaims>(token, this.refreshKey, 'refresh');
  }

  private verify<T extends AccessTokenClaims | RefreshTokenClaims>(
    token: string,
    key: KeyObject,
    type: TokenType,
  ): T | undefined {
    try {
      const claims = this.jwt.verify<T>(token, {
        secret: key as unknown as Buffer,
        ...this.verifyOptions,
      });
      return hasTokenShape(claims, type) ? claims : undefined;
    } catch {
      return undefined;
    }
  }

  get refreshTokenTtlSeconds(): number {
    return this.config.refreshTokenTtlSeconds;
  }
}
