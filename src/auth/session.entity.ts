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

/** A login: the family of refresh tokens that rotate inside it. Only the current token's hash is kept. */
@Entity({ name: 'sessions' })
// Migration SessionIndexes: the rows the frequent queries read, out of every session ever opened.
@Index('IDX_sessions_active_by_user', ['userId', 'lastUsedAt', 'createdAt'], {
  where: `"revoked_at" IS NULL`,
})
@Index('IDX_sessions_revoked_at', ['revokedAt'], { where: `"revoked_at" IS NOT NULL` })
export class Session {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index()
  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: Relation<User>;

  /** SHA-256 of the current refresh token; rotated with a conditional UPDATE. */
  @Column({ name: 'refresh_token_hash', type: 'text', unique: true, select: false })
  refreshTokenHash?: string;

  @Column({ type: 'text', array: true })
  scope: string[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz', default: () => 'now()' })
  lastUsedAt: Date;

  /** Absolute end of the session, whatever the refreshes. */
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @Column({ name: 'user_agent', type: 'text', nullable: true })
  userAgent: string | null;

  @Column({ type: 'text', nullable: true })
  ip: string | null;
}
