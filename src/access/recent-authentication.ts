import { AppError } from '../common/errors/app-error.js';
import type { Principal } from './principal.js';
import { effectivePermissions } from './roles.js';

/** How long after a password (and second-factor) login its tokens may do account-security operations. */
export const RECENT_AUTHENTICATION_SECONDS = 600;

/**
 * The rule behind `@RequireRecentAuth()`: a bearer token whose login (`auth_time`, unchanged through
 * refreshes) is at most RECENT_AUTHENTICATION_SECONDS old, and that carries every permission its user
 * holds (a token narrowed by scope was meant for less). An API key, or any credential no login stands
 * behind, never passes. A credential restricted to two-factor enrolment passes on its login time
 * alone: it carries no scope and reaches the enrolment routes only.
 */
export function assertRecentAuthentication(principal: Principal, nowSeconds: number): void {
  if (principal.via !== 'jwt' || principal.authTime === undefined) {
    throw new AppError(
      'FORBIDDEN',
      'This operation needs a bearer token from a password login; API keys cannot do it.',
    );
  }
  if (principal.restriction === undefined) {
    const held = effectivePermissions(principal.user.roles, principal.user.permissions);
    const missing = held.filter((permission) => !principal.scopes.includes(permission));
    if (missing.length > 0) {
      const needed = held.join(' ');
      throw new AppError(
        'INSUFFICIENT_SCOPE',
        'This operation needs a token carrying all your permissions: sign in again without narrowing the scope.',
        { headers: { 'WWW-Authenticate': `Bearer error="insufficient_scope", scope="${needed}"` } },
      );
    }
  }
  if (nowSeconds - principal.authTime > RECENT_AUTHENTICATION_SECONDS) {
    throw new AppError('RECENT_AUTHENTICATION_REQUIRED', undefined, {
      headers: {
        // RFC 9470 (OAuth 2.0 Step Up Authentication Challenge)
        'WWW-Authenticate': `Bearer realm="gatehouse", error="insufficient_user_authentication", error_description="A recent login is required", max_age=${RECENT_AUTHENTICATION_SECONDS}`,
      },
    });
  }
}
