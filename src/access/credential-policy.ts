import { highestRole, type Role, roleRank } from './roles.js';

/**
 * REQUIRE_2FA_ROLES as a rule: a user holding one of those roles, or a role above one, who has not
 * enrolled in two-factor. Token issuance (login, refresh) and the authorization guard ask the same.
 */
export function mustEnrolTwoFactor(
  user: { roles: readonly string[]; twoFactorEnabled: boolean },
  requiredRoles: readonly Role[],
): boolean {
  if (user.twoFactorEnabled || requiredRoles.length === 0) return false;
  const held = highestRole(user.roles);
  return held !== undefined && requiredRoles.some((role) => roleRank(held) >= roleRank(role));
}

/**
 * The policy every credential meets, whatever strategy produced its principal (access token, API key,
 * and any credential type added later): the AuthorizationGuard applies it to every principal with a
 * user, after authentication and before any handler. Provided from configuration by TwoFactorModule.
 */
export class CredentialPolicy {
  constructor(readonly twoFactorRoles: readonly Role[]) {}

  /** The user may only enrol in two-factor (`@AllowMfaEnrollment()` routes); everything else is 403. */
  restrictedToEnrolment(user: { roles: readonly string[]; twoFactorEnabled: boolean }): boolean {
    return mustEnrolTwoFactor(user, this.twoFactorRoles);
  }
}
