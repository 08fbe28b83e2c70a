import type { User } from '../user.entity.js';
import { toUserResponse } from './user.response.js';

function user(createdAt: Date): User {
  return {
    id: '6f1c1e9e-7a43-4c47-9a52-1b1f4f6f0a01',
    email: 'ada@example.com',
    username: 'ada',
    fullName: 'Ada',
    roles: ['user'],
    permissions: [],
    emailVerified: true,
    isActive: true,
    twoFactorEnabled: false,
    createdAt,
  } as unknown as User;
}

describe('toUserResponse', () => {
  it('gives created_at as ISO 8601, the same on every call for the same user', () => {
    const ada = user(new Date('2026-11-30T10:20:30.456Z'));
    expect(toUserResponse(ada).created_at).toBe('2026-11-30T10:20:30.456Z');
    expect(toUserResponse(ada).created_at).toBe('2026-11-30T10:20:30.456Z');
    expect(toUserResponse(user(new Date(0))).created_at).toBe('1970-01-01T00:00:00.000Z');
  });

  it('follows a Date changed in place', () => {
    const createdAt = new Date('2026-11-30T10:20:30.456Z');
    const ada = user(createdAt);
    expect(toUserResponse(ada).created_at).toBe('2026-11-30T10:20:30.456Z');
    createdAt.setTime(Date.parse('2025-01-02T03:04:05.006Z'));
    expect(toUserResponse(ada).created_at).toBe('2025-01-02T03:04:05.006Z');
  });

  it('maps every field, permissions included', () => {
    expect(toUserResponse(user(new Date(0)))).toEqual({
      id: '6f1c1e9e-7a43-4c47-9a52-1b1f4f6f0a01',
      email: 'ada@example.com',
      username: 'ada',
      full_name: 'Ada',
      roles: ['user'],
      permissions: expect.arrayContaining(['read:items']) as unknown,
      email_verified: true,
      is_active: true,
      two_factor_enabled: false,
      created_at: '1970-01-01T00:00:00.000Z',
    });
  });
});
