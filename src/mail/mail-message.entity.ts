import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type MailStatus = 'pending' | 'sent' | 'failed';
export type MailParams = Record<string, string | number | boolean | null>;

/**
 * One mail in the transactional outbox: written in the same transaction as the change it announces,
 * delivered by MailSender. No rendered body is stored: the template is rendered at send time from
 * `kind` and `params`. A link's token is kept sealed (AES-GCM, bound to the row id) only until the
 * mail is sent or given up, then wiped.
 */
@Entity({ name: 'mail_outbox' })
@Check('CHK_mail_outbox_status', `"status" IN ('pending', 'sent', 'failed')`)
@Index('IDX_mail_outbox_due', ['nextAttemptAt'], { where: `"status" = 'pending'` })
@Index('IDX_mail_outbox_recipient', ['recipient', 'createdAt'])
export class MailMessage {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  kind: string;

  @Column({ type: 'citext' })
  recipient: string;

  @Column({ name: 'user_id', type: 'uuid', nullable: true })
  userId: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  params: MailParams;

  @Column({ name: 'sealed_token', type: 'text', nullable: true, select: false })
  sealedToken?: string | null;

  @Column({ type: 'text', default: 'pending' })
  status: MailStatus;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt: Date;

  /** The transport's error of the last failed attempt (never the mail's content). */
  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt: Date | null;
}
