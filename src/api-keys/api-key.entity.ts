import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { User } from '../users/user.entity.js';

/**
 * A user's API key. Only the SHA-256 of the secret is stored (unique: it is how a key is found); the
 * key itself exists only in the creation response. Revoking sets `revoked_at` and keeps the row for
 * the record; deleting the user deletes their keys.
 */
@Entity({ name: 'api_keys' })
@Index(['userId', 'createdAt'])
export class ApiKey {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: Relation<User>;

  @Column({ type: 'text' })
  name: string;

  /** `gatehouse_` and the first random characters: enough to tell keys apart, useless to an attacker. */
  @Column({ type: 'text' })
  prefix: string;

  @Column({ name: 'key_hash', type: 'text', unique: true, select: false })
  keyHash?: string;

  @Column({ type: 'text', array: true })
  scopes: string[];

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  /** Updated at most about once a minute per key, not on every request. */
  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
