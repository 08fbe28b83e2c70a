import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

import type { SecurityEventType } from './security-event-types.js';

export { SECURITY_EVENT_TYPES, type SecurityEventType } from './security-event-types.js';
export type SecurityEventDetails = Record<string, string | number | boolean | null>;

/**
 * Security-relevant things that happened, kept after the rows they are about (no foreign keys).
 * Never holds a password, token or other secret.
 *
 * Append-only and hash-chained: a database trigger (migration AuditChain) gives each new row the next
 * `seq`, the previous row's hash as `prev_hash`, and `hash` = sha256 over the row's content and
 * `prev_hash`, all under the lock of the single-row chain head; `seq`, `prev_hash`, `hash` and
 * `created_at` are the database's to set, whatever an insert says.
 */
@Entity({ name: 'security_events' })
@Index(['userId', 'createdAt'])
export class SecurityEvent {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Position in the chain, 1, 2, 3 ... without gaps (a gap is a deleted row). Postgres bigint, so a string. */
  @Index({ unique: true })
  @Column({ type: 'bigint', insert: false, update: false })
  seq: string;

  @Column({ type: 'text' })
  type: SecurityEventType;

  /** The user the event is about. */
  @Column({ name: 'user_id', type: 'uuid', nullable: true })
  userId: string | null;

  /** Who caused it, when that is someone else (an admin). */
  @Index()
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

  /** The hash of the row before this one (or of the last pruned row; 64 zeros for the first). */
  @Column({ name: 'prev_hash', type: 'text', insert: false, update: false })
  prevHash: string;

  @Column({ type: 'text', insert: false, update: false })
  hash: string;
}
