import { Column, Entity, JoinColumn, OneToOne, PrimaryColumn, type Relation } from 'typeorm';
import { User } from '../users/user.entity.js';

/**
 * A user's TOTP secret, encrypted (AES-256-GCM, see common/secret-box.ts). A pending secret waits for its
 * first code; only then does it become the secret. `lastUsedStep` is the 30-second step of the last
 * accepted code: no code of that step or an earlier one is accepted again.
 */
@Entity({ name: 'two_factor_credentials' })
export class TwoFactorCredential {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId: string;

  @OneToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: Relation<User>;

  @Column({ name: 'secret_encrypted', type: 'text', nullable: true, select: false })
  secretEncrypted?: string | null;

  @Column({ name: 'pending_secret_encrypted', type: 'text', nullable: true, select: false })
  pendingSecretEncrypted?: string | null;

  @Column({ name: 'pending_created_at', type: 'timestamptz', nullable: true })
  pendingCreatedAt: Date | null;

  @Column({ name: 'enabled_at', type: 'timestamptz', nullable: true })
  enabledAt: Date | null;

  @Column({ name: 'last_used_step', type: 'integer', nullable: true })
  lastUsedStep: number | null;
}
