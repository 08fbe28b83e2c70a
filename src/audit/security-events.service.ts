import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { isCliActor } from '../common/actor.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { type ChainReport, verifyChain } from './audit-chain.js';
import {
  SecurityEvent,
  type SecurityEventDetails,
  type SecurityEventType,
} from './security-event.entity.js';

export interface SecurityEventInput {
  type: SecurityEventType;
  userId?: string | null;
  /** A user's id, or CLI_ACTOR (kept as `details.actor: "cli"`, actor_id empty). */
  actorId?: string | null;
  sessionId?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  details?: SecurityEventDetails;
}

export interface SecurityEventQuery {
  page: number;
  limit: number;
  userId?: string;
  actorId?: string;
  types?: SecurityEventType[];
  from?: Date;
  to?: Date;
}

/** Detail keys that must never be stored, whoever calls record(): their values are replaced. */
const SECRET_KEYS = new Set([
  'password',
  'current_password',
  'new_password',
  'password_hash',
  'secret',
  'totp_secret',
  'token',
  'access_token',
  'refresh_token',
  'mfa_token',
  'key',
  'api_key',
  'code',
  'recovery_code',
  'recovery_codes',
  'otp',
  'authorization',
  'cookie',
]);
const MAX_DETAIL_LENGTH = 512;

/** Drops anything that looks like a secret and bounds the size of what is kept. */
export function sanitizeDetails(details: SecurityEventDetails | undefined): SecurityEventDetails {
  const clean: SecurityEventDetails = {};
  for (const [key, value] of Object.entries(details ?? {}).slice(0, 32)) {
    if (SECRET_KEYS.has(key.toLowerCase())) clean[key] = '[redacted]';
    else clean[key] = typeof value === 'string' ? value.slice(0, MAX_DETAIL_LENGTH) : value;
  }
  return clean;
}

/**
 * The one way to record a security event, and the audit log's reader. Recording never fails the
 * request it describes: a failure is logged and counted. Each insert is chained by the database
 * (see migration AuditChain), so this stays a plain INSERT whichever instance writes.
 */
@Injectable()
export class SecurityEventsService {
  private readonly logger = new Logger(SecurityEventsService.name);

  constructor(
    @InjectRepository(SecurityEvent) private readonly events: Repository<SecurityEvent>,
    private readonly metrics: MetricsService,
  ) {}

  async record(event: SecurityEventInput): Promise<void> {
    try {
      this.metrics.securityEvent(event.type, event.details);
      const { ip, userAgent } = event;
      await this.events.insert({
        type: event.type,
        userId: event.userId ?? null,
        actorId: isCliActor(event.actorId) ? null : (event.actorId ?? null),
        sessionId: event.sessionId ?? null,
        ip: ip?.slice(0, 64) ?? null,
        userAgent: userAgent?.slice(0, 512) ?? null,
        details: isCliActor(event.actorId)
          ? { ...sanitizeDetails(event.details), actor: 'cli' }
          : sanitizeDetails(event.details),
      });
    } catch (error) {
      this.metrics.auditWriteFailed();
      this.logger.error(
        `could not record security event ${event.type}: ${(error as Error).message}`,
      );
    }
  }

  /** Newest first. */
  async list(query: SecurityEventQuery): Promise<{ items: SecurityEvent[]; total: number }> {
    const builder = this.events
      .createQueryBuilder('event')
      .orderBy('event.seq', 'DESC')
      .skip((query.page - 1) * query.limit)
      .take(query.limit);
    if (query.userId) builder.andWhere('event.userId = :userId', { userId: query.userId });
    if (query.actorId) builder.andWhere('event.actorId = :actorId', { actorId: query.actorId });
    if (query.types?.length) builder.andWhere('event.type IN (:...types)', { types: query.types });
    if (query.from) builder.andWhere('event.createdAt >= :from', { from: query.from });
    if (query.to) builder.andWhere('event.createdAt < :to', { to: query.to });
    const [items, total] = await builder.getManyAndCount();
    return { items, total };
  }

  verify(): Promise<ChainReport> {
    return verifyChain(this.events.manager);
  }
}
