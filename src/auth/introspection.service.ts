import { Injectable } from '@nestjs/common';
import { effectivePermissions } from '../access/roles.js';
import { isUuid } from '../common/uuid.js';
import { OAuthClientsService } from '../oauth-clients/oauth-clients.service.js';
import { TwoFactorService } from '../two-factor/two-factor.service.js';
import { UsersService } from '../users/users.service.js';
import { SessionsService } from './sessions.service.js';
import { hasTokenShape, TokenService } from './token.service.js';

/** RFC 7662 §2.2. */
export type IntrospectionResponse =
  | { active: false }
  | {
      active: true;
      scope: string;
      client_id?: string;
      username?: string;
      sub: string;
      exp: number;
      iat: number;
      iss: string;
      aud: string;
      token_type: 'bearer';
    };

const INACTIVE = { active: false } as const;

/**
 * Answers "is this access token good right now?" with the checks a request makes (signature, kid,
 * algorithm, issuer, audience, expiry, type; the session not revoked or past its end; the user active
 * and not held to two-factor enrolment; the client not deleted) and the scope a request would get.
 * Sessions, users and clients are read from the database, never from a cache that might lag.
 * Refresh, enrolment and anything else are inactive: resource servers only ever see access tokens.
 */
@Injectable()
export class IntrospectionService {
  constructor(
    private readonly tokens: TokenService,
    private readonly sessions: SessionsService,
    private readonly users: UsersService,
    private readonly clients: OAuthClientsService,
    private readonly twoFactor: TwoFactorService,
  ) {}

  async introspect(token: string): Promise<IntrospectionResponse> {
    const claims = await this.tokens.verifyAccessKeyToken(token);
    if (!claims || claims.typ !== 'access' || typeof claims.scope !== 'string') return INACTIVE;
    const scope = claims.scope.split(' ').filter(Boolean);
    const common = {
      sub: String(claims.sub),
      exp: Number(claims.exp),
      iat: Number(claims.iat),
      iss: String(claims.iss),
      aud: String(claims.aud),
      token_type: 'bearer' as const,
    };
    if (claims.client_id !== undefined) {
      if (claims.client_id !== claims.sub || !isUuid(claims.sub)) return INACTIVE;
      const client = await this.clients.findCurrent(claims.sub);
      if (!client) return INACTIVE;
      const granted = scope.filter((s) => client.scopes.includes(s));
      return { active: true, scope: granted.join(' '), client_id: client.id, ...common };
    }
    if (!hasTokenShape(claims, 'access')) return INACTIVE;
    if (!(await this.sessions.isLive(claims.sid))) return INACTIVE;
    const user = await this.users.findById(claims.sub);
    if (!user?.isActive || this.twoFactor.mustEnrol(user)) return INACTIVE;
    const permissions: readonly string[] = effectivePermissions(user.roles, user.permissions);
    const granted = scope.filter((s) => permissions.includes(s));
    return { active: true, scope: granted.join(' '), username: user.username, ...common };
  }
}
