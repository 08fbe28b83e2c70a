import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const SECURITY_EVENT_TYPES = [
  'login.failed',
  'account.locked',
  'account.unlocked',
  'refresh_token.reused',
  '2fa.enabled',
  '2fa.disabled',
  '2fa.reset',
  '2fa.recovery_code_used',
] as const;
export type SecurityEventType = (typeof SECURITY_EVENT_TYPES)[number];
export type SecurityEventDetails = Record<string, string | number | boolean | null>;

/**
 * Security-relevant things that happened, kept after the rows they are about (no foreign keys).
 * Never holds a password, token or other secret.
 */
@Entity({ name: 'security_events' })
@Index(['userId', 'createdAt'])
export class SecurityEvent {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  type: SecurityEventType;

  /** The user the event is about. */
  @Column({ name: 'user_id', type: 'uuid', nullable: true })
  userId: string | null;

  /** Who caused it, when that is someone else (an admin). */
  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  actorId: string | null;

  @Column({ name: 'session_id', type: 'uuid', nullable: true })
  sessionId: string | null;

  @Column({ type: 'text', nullable: true })
  ip: string | null;

  @Column({ name: 'user_agent', type: 'text', nullable: true })
  userAgent: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  details: SecurityEventDetails;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
