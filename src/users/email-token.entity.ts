import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  type Relation,
} from 'typeorm';
import { User } from './user.entity.js';

export const EMAIL_TOKEN_PURPOSES = ['password_reset', 'verify_email', 'change_email'] as const;
export type EmailTokenPurpose = (typeof EMAIL_TOKEN_PURPOSES)[number];

/**
 * The live token of a mailed link: at most one per user and purpose, so issuing a new one replaces
 * (and so kills) the older link. Only the token's SHA-256 is stored; using it deletes the row.
 */
@Entity({ name: 'email_tokens' })
@Check(
  'CHK_email_tokens_purpose',
  `"purpose" IN ('password_reset', 'verify_email', 'change_email')`,
)
export class EmailToken {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId: string;

  @PrimaryColumn({ type: 'text' })
  purpose: EmailTokenPurpose;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_email_tokens_user' })
  user?: Relation<User>;

  @Column({ name: 'token_hash', type: 'text', unique: true })
  tokenHash: string;

  /** The address the link was sent to: the current one to verify, or the new one to change to. */
  @Column({ type: 'citext' })
  email: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
