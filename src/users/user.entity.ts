import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { IDENTITY_TRANSFORMER } from './identity.js';

@Entity({ name: 'users' })
export class User {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** NFKC-normalised (see identity.ts); unique case-insensitively. */
  @Column({ type: 'citext', unique: true, transformer: IDENTITY_TRANSFORMER })
  email: string;

  @Column({ type: 'citext', unique: true, transformer: IDENTITY_TRANSFORMER })
  username: string;

  @Column({ name: 'full_name', type: 'text', nullable: true })
  fullName: string | null;

  @Column({ name: 'password_hash', type: 'text', select: false })
  passwordHash?: string;

  @Column({ type: 'text', array: true, default: () => "'{user}'" })
  roles: string[];

  /** Extra grants an admin gave on top of the roles' permissions. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  permissions: string[];

  /** Whether the owner proved they read mail at `email` (accounts from before this flag count as verified). */
  @Column({ name: 'email_verified', type: 'boolean', default: false })
  emailVerified: boolean;

  @Column({ name: 'is_active', type: 'boolean', default: true })
  isActive: boolean;

  /** Set and cleared by the two-factor module, together with its own rows. */
  @Column({ name: 'two_factor_enabled', type: 'boolean', default: false })
  twoFactorEnabled: boolean;

  /**
   * The last password change or reset. Pending second-step tokens (mfa_token) and enrolment tokens
   * issued before it are dead (see `passwordChangedSince`).
   */
  @Column({ name: 'password_changed_at', type: 'timestamptz', nullable: true })
  passwordChangedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/**
 * Whether the user's password changed at or after `issuedAtMs`: a pending mfa_token or enrolment
 * token from before a change is refused. JWTs give `iat` in whole seconds, so one issued in the same
 * second as a change counts as before it (when in doubt, refuse).
 */
export function passwordChangedSince(
  user: Pick<User, 'passwordChangedAt'>,
  issuedAtMs: number,
): boolean {
  return user.passwordChangedAt !== null && issuedAtMs <= user.passwordChangedAt.getTime();
}
