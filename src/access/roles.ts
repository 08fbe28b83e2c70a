/**
 * The one vocabulary of authorization: roles form a hierarchy, each role includes the permissions of the
 * roles below it, and OAuth2 scopes are the same `action:resource` strings as permissions.
 */
export const ROLES = ['viewer', 'user', 'editor', 'moderator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'read:items',
  'write:items',
  'delete:items',
  'read:users',
  'moderate:items',
  'write:users',
  'delete:users',
  'manage:api_keys',
  'read:audit',
  'manage:clients',
  'manage:keys',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** What each role adds to the one below it. */
const ROLE_ADDS = {
  viewer: ['read:items'],
  user: ['write:items', 'delete:items'],
  editor: ['read:users'],
  moderator: ['moderate:items'],
  admin: [
    'write:users',
    'delete:users',
    'manage:api_keys',
    'read:audit',
    'manage:clients',
    'manage:keys',
  ],
} as const satisfies Record<Role, readonly Permission[]>;

export const DEFAULT_ROLE: Role = 'user';

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function isPermission(value: unknown): value is Permission {
  return typeof value === 'string' && (PERMISSIONS as readonly string[]).includes(value);
}

export function roleRank(role: Role): number {
  return ROLES.indexOf(role);
}

/** The highest of the given roles; unknown strings are ignored. Undefined when none is known. */
export function highestRole(roles: readonly string[]): Role | undefined {
  const known = roles.filter(isRole);
  if (known.length === 0) return undefined;
  return known.reduce((best, role) => (roleRank(role) > roleRank(best) ? role : best));
}

/**
 * The rank rule of every admin action on another user: nobody acts on a user who ranks above them.
 * An actor without any known role acts on nobody; a target without one ranks lowest.
 */
export function mayActOn(actorRoles: readonly string[], targetRoles: readonly string[]): boolean {
  const actor = highestRole(actorRoles);
  const target = highestRole(targetRoles);
  return actor !== undefined && (target === undefined || roleRank(target) <= roleRank(actor));
}

/** Computed answers by the roles and grants they were computed from (a handful of combinations exist). */
const permissionsOf = new Map<string, readonly Permission[]>();
const MAX_REMEMBERED_COMBINATIONS = 256;
const NO_GRANTS: readonly string[] = Object.freeze([]);

/** The last answer for a roles array, with copies of the lists it was computed from. */
interface LastAnswer {
  grants: readonly string[];
  rolesThen: readonly string[];
  grantsThen: readonly string[];
  permissions: readonly Permission[];
}
const lastAnswerByRoles = new WeakMap<readonly string[], LastAnswer>();

function sameItems(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Permissions of the roles (with inheritance) plus extra grants, in vocabulary order. Every
 * authenticated request asks, so the answer is remembered by the lists' contents (never by the arrays'
 * identity alone, which a caller could change in place) and returned frozen. The same cached user's
 * arrays come back on every request: they are checked item by item against copies of what they held,
 * which answers without building the key string.
 */
export function effectivePermissions(
  roles: readonly string[],
  extraGrants: readonly string[] = NO_GRANTS,
): readonly Permission[] {
  const last = lastAnswerByRoles.get(roles);
  if (
    last !== undefined &&
    last.grants === extraGrants &&
    sameItems(last.rolesThen, roles) &&
    sameItems(last.grantsThen, extraGrants)
  ) {
    return last.permissions;
  }
  const permissions = permissionsByContents(roles, extraGrants);
  lastAnswerByRoles.set(roles, {
    grants: extraGrants,
    rolesThen: [...roles],
    grantsThen: [...extraGrants],
    permissions,
  });
  return permissions;
}

function permissionsByContents(
  roles: readonly string[],
  extraGrants: readonly string[],
): readonly Permission[] {
  // Known values only: they hold no separator, so no two different lists can share a key.
  const key = `${roles.filter(isRole).join(' ')}|${extraGrants.filter(isPermission).join(' ')}`;
  const known = permissionsOf.get(key);
  if (known) return known;
  const granted = new Set<string>(extraGrants.filter(isPermission));
  const top = highestRole(roles);
  if (top !== undefined) {
    for (const role of ROLES.slice(0, roleRank(top) + 1)) {
      for (const permission of ROLE_ADDS[role]) granted.add(permission);
    }
  }
  const permissions = Object.freeze(PERMISSIONS.filter((permission) => granted.has(permission)));
  if (permissionsOf.size >= MAX_REMEMBERED_COMBINATIONS) permissionsOf.clear();
  permissionsOf.set(key, permissions);
  return permissions;
}

const grantedByPermissions = new WeakMap<readonly Permission[], Map<string, readonly string[]>>();
const MAX_REMEMBERED_SCOPE_CLAIMS = 64;

/**
 * The scopes of a space-separated claim that the permissions cover, in the claim's order, frozen. The
 * permissions must be an `effectivePermissions` answer: the memo is keyed by that (stable) array.
 */
export function grantedScopes(
  claim: string,
  permissions: readonly Permission[],
): readonly string[] {
  let byClaim = grantedByPermissions.get(permissions);
  if (!byClaim) grantedByPermissions.set(permissions, (byClaim = new Map()));
  let scopes = byClaim.get(claim);
  if (!scopes) {
    const held: readonly string[] = permissions;
    scopes = Object.freeze(claim.split(' ').filter((scope) => held.includes(scope)));
    if (byClaim.size >= MAX_REMEMBERED_SCOPE_CLAIMS) byClaim.clear();
    byClaim.set(claim, scopes);
  }
  return scopes;
}
