import { SetMetadata } from '@nestjs/common';
import type { Permission, Role } from './roles.js';

export const ROLES_KEY = 'gatehouse:minimumRole';
export const SCOPES_KEY = 'gatehouse:scopes';

/** The principal's user must hold this role or one above it (viewer < user < editor < moderator < admin). */
export const Roles = (minimumRole: Role) => SetMetadata(ROLES_KEY, minimumRole);

/** The principal's effective scopes must include every one of these permissions. */
export const Scopes = (...permissions: [Permission, ...Permission[]]) =>
  SetMetadata(SCOPES_KEY, permissions);

export const ALLOWS_MFA_ENROLLMENT_KEY = 'gatehouse:allowsMfaEnrollment';

/**
 * The route also serves principals restricted to two-factor enrolment (see Principal.restriction).
 * Every route without it refuses them.
 */
export const AllowMfaEnrollment = () => SetMetadata(ALLOWS_MFA_ENROLLMENT_KEY, true);

export const REQUIRES_RECENT_AUTH_KEY = 'gatehouse:requiresRecentAuth';

/**
 * An account-security operation (two-factor on or off, new API keys, password or e-mail change, ending
 * all sessions): only a bearer token from a password (and second-factor) login within the last
 * `RECENT_AUTHENTICATION_SECONDS`, carrying every permission of its user, gets through. Refreshing a
 * token keeps its login time; a token narrowed by scope and an API key never pass. See
 * `recent-authentication.ts` and docs/security.md.
 */
export const RequireRecentAuth = () => SetMetadata(REQUIRES_RECENT_AUTH_KEY, true);
