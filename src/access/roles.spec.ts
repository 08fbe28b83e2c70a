import { effectivePermissions, grantedScopes, highestRole, PERMISSIONS } from './roles.js';

describe('roles and permissions', () => {
  it('gives each role the permissions of every role below it', () => {
    expect(effectivePermissions(['viewer'])).toEqual(['read:items']);
    expect(effectivePermissions(['user'])).toEqual(['read:items', 'write:items', 'delete:items']);
    expect(effectivePermissions(['moderator'])).toEqual([
      'read:items',
      'write:items',
      'delete:items',
      'read:users',
      'moderate:items',
    ]);
    expect(effectivePermissions(['admin'])).toEqual([...PERMISSIONS]);
  });

  it('adds extra grants, ignores unknown roles and permissions', () => {
    expect(effectivePermissions(['viewer'], ['read:users', 'root:everything'])).toEqual([
      'read:items',
      'read:users',
    ]);
    expect(effectivePermissions(['superuser'])).toEqual([]);
    expect(highestRole(['superuser', 'editor', 'viewer'])).toBe('editor');
    expect(highestRole([])).toBeUndefined();
  });
});

describe('remembered answers', () => {
  it('answers by the lists as they are now, even when an array was changed in place', () => {
    const roles = ['viewer'];
    expect(effectivePermissions(roles)).toEqual(['read:items']);
    roles[0] = 'editor';
    expect(effectivePermissions(roles)).toEqual([
      'read:items',
      'write:items',
      'delete:items',
      'read:users',
    ]);
    expect(Object.isFrozen(effectivePermissions(roles))).toBe(true);
  });

  it('notices a grant or a role added in place, and a different grants array', () => {
    const roles = ['viewer'];
    const grants: string[] = [];
    expect(effectivePermissions(roles, grants)).toEqual(['read:items']);
    grants.push('read:users');
    expect(effectivePermissions(roles, grants)).toEqual(['read:items', 'read:users']);
    roles.push('user');
    expect(effectivePermissions(roles, grants)).toEqual([
      'read:items',
      'write:items',
      'delete:items',
      'read:users',
    ]);
    expect(effectivePermissions(roles, ['write:users'])).toContain('write:users');
    expect(effectivePermissions(roles)).not.toContain('read:users');
  });

  it('never lets an unknown value share an answer with known ones', () => {
    expect(effectivePermissions(['user', 'admin'])).toEqual([...PERMISSIONS]);
    expect(effectivePermissions(['user admin'])).toEqual([]);
    expect(effectivePermissions(['viewer'], ['read:users', 'write:users'])).toEqual([
      'read:items',
      'read:users',
      'write:users',
    ]);
    expect(effectivePermissions(['viewer'], ['read:users write:users'])).toEqual(['read:items']);
  });

  it('grants the claimed scopes the permissions cover, in the claim order, frozen', () => {
    const permissions = effectivePermissions(['user']);
    const granted = grantedScopes('write:items read:users read:items', permissions);
    expect(granted).toEqual(['write:items', 'read:items']);
    expect(grantedScopes('write:items read:users read:items', permissions)).toBe(granted);
    expect(grantedScopes('read:users', permissions)).toEqual([]);
    expect(grantedScopes('', permissions)).toEqual([]);
    expect(Object.isFrozen(granted)).toBe(true);
  });
});
