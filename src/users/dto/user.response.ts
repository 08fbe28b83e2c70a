import { ApiProperty } from '@nestjs/swagger';
import { effectivePermissions, PERMISSIONS, ROLES } from '../../access/roles.js';
import type { User } from '../user.entity.js';

export class UserResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'email' }) email: string;
  @ApiProperty() username: string;
  @ApiProperty({ type: String, nullable: true }) full_name: string | null;
  @ApiProperty({ enum: ROLES, isArray: true }) roles: string[];
  @ApiProperty({
    enum: PERMISSIONS,
    isArray: true,
    description: 'Effective permissions: roles with inheritance plus extra grants',
  })
  permissions: readonly string[];
  @ApiProperty({ description: 'Whether the address was confirmed through a mailed link' })
  email_verified: boolean;
  @ApiProperty() is_active: boolean;
  @ApiProperty({ description: 'Whether logins need a TOTP code after the password' })
  two_factor_enabled: boolean;
  @ApiProperty({ format: 'date-time' }) created_at: string;
}

/**
 * `createdAt` as ISO 8601, remembered per Date object: the cached user answering every request keeps
 * the same Date, and `toISOString()` cost about 0.8 µs a call, most of this mapper's time. The stored
 * time value is checked on every use, so a Date changed in place gets a fresh string.
 */
const isoStrings = new WeakMap<Date, { time: number; iso: string }>();

function isoString(date: Date): string {
  const time = date.getTime();
  const known = isoStrings.get(date);
  if (known?.time === time) return known.iso;
  const iso = date.toISOString();
  isoStrings.set(date, { time, iso });
  return iso;
}

/** The only way a user leaves the service: a new column cannot leak by accident. */
export function toUserResponse(user: User): UserResponse {
  return {
    id: user.id,
    email: user.email,
    username: user.username,
    full_name: user.fullName,
    roles: user.roles,
    permissions: effectivePermissions(user.roles, user.permissions),
    email_verified: user.emailVerified,
    is_active: user.isActive,
    two_factor_enabled: user.twoFactorEnabled,
    created_at: isoString(user.createdAt),
  };
}

/** What an admin sees of a user: the public shape plus the state of their login lockout. */
export class AdminUserResponse extends UserResponse {
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description:
      'While in the future, password logins are refused (POST /admin/users/{id}/unlock lifts it)',
  })
  locked_until: string | null;
  @ApiProperty({
    type: 'integer',
    description: 'Failed logins from unknown clients counted in the current lockout window',
  })
  failed_login_count: number;
}

/** The lockout as LoginAttemptsService.lockState() reports it. */
export interface LockState {
  lockedUntil: Date | null;
  failures: number;
}

export function toAdminUserResponse(user: User, lock: LockState): AdminUserResponse {
  return {
    ...toUserResponse(user),
    locked_until: lock.lockedUntil?.toISOString() ?? null,
    failed_login_count: lock.failures,
  };
}
