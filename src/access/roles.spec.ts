import { effectivePermissions, highestRole } from './roles.js';

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
    expect(effectivePermissions(['admin'])).toHaveLength(9);
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
