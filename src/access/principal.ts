import type { User } from '../users/user.entity.js';

/** What every strategy (JWT, API key) produces, and the only thing guards and controllers look at. */
export interface Principal {
  user: User;
  via: 'jwt' | 'api_key';
  /** Effective scopes: what the credential carries, capped by the user's current permissions. */
  scopes: readonly string[];
  sessionId?: string;
  /** The API key that authenticated the request (via 'api_key'). */
  apiKeyId?: string;
  /**
   * Set when the credential only reaches the two-factor enrolment routes (`@AllowMfaEnrollment()`):
   * a user whose role requires two-factor and who has not enrolled yet. Everything else is 403.
   */
  restriction?: 'mfa_enrollment';
  /**
   * When the user last proved who they are with their password (and second factor), in seconds since
   * the epoch: the login that opened the session (kept unchanged through refreshes), or the issue time
   * of an enrolment token. Unset for credentials that no login stands behind (API keys).
   */
  authTime?: number;
}

/**
 * An OAuth client's access token (client credentials grant): a principal of its own, with no user.
 * It reaches only the routes that say `@AcceptsClients()` (never a route about "me"), with its token's
 * scopes capped by the client's scopes as they are now.
 */
export interface ClientPrincipal {
  via: 'client';
  client: { id: string; name: string };
  scopes: readonly string[];
  user?: undefined;
  sessionId?: undefined;
  restriction?: undefined;
}

/** What a route that accepts clients may receive. */
export type AnyPrincipal = Principal | ClientPrincipal;
