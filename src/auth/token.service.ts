import { createHash, createSecretKey, type KeyObject, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { isUuid } from '../common/uuid.js';
import { authConfig, type AuthConfig } from '../config/auth.config.js';

export type TokenType = 'access' | 'refresh';

export interface AccessTokenClaims {
  sub: string;
  sid: string;
  jti: string;
  typ: 'access';
  scope: string;
  roles: string[];
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
  }): { token: string; expiresIn: number } {
    const untilSessionEnd = Math.floor((input.notAfter.getTime() - Date.now()) / 1000);
    const expiresIn = Math.max(1, Math.min(this.config.accessTokenTtlSeconds, untilSessionEnd));
    const token = this.jwt.sign(
      { sid: input.sessionId, typ: 'access', scope: input.scope.join(' '), roles: input.roles },
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

  /** The session of a genuine, unexpired access token (for revocation), or undefined. */
  sessionOfAccessToken(token: string): { sessionId: string; userId: string } | undefined {
    try {
      const claims = this.jwt.verify<AccessTokenClaims>(token, {
        secret: this.accessKey as unknown as Buffer,
        ...this.verifyOptions,
      });
      const valid =
        claims.typ === 'access' &&
        typeof claims.exp === 'number' &&
        isUuid(claims.sid) &&
        isUuid(claims.sub);
      return valid ? { sessionId: claims.sid, userId: claims.sub } : undefined;
    } catch {
      return undefined;
    }
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
    try {
      const claims = this.jwt.verify<RefreshTokenClaims>(token, {
        secret: this.refreshKey as unknown as Buffer,
        ...this.verifyOptions,
      });
      const valid =
        claims.typ === 'refresh' &&
        typeof claims.exp === 'number' &&
        isUuid(claims.sid) &&
        isUuid(claims.sub);
      return valid ? claims : undefined;
    } catch {
      return undefined;
    }
  }

  get refreshTokenTtlSeconds(): number {
    return this.config.refreshTokenTtlSeconds;
  }
}
