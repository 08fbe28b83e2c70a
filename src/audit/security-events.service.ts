import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import {
  SecurityEvent,
  type SecurityEventDetails,
  type SecurityEventType,
} from './security-event.entity.js';

export interface SecurityEventInput {
  type: SecurityEventType;
  userId?: string | null;
  actorId?: string | null;
  sessionId?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  details?: SecurityEventDetails;
}

/** Records security events. Recording never fails the request it describes: a failure is logged. */
@Injectable()
export class SecurityEventsService {
  private readonly logger = new Logger(SecurityEventsService.name);

  constructor(
    @InjectRepository(SecurityEvent) private readonly events: Repository<SecurityEvent>,
  ) {}

  async record(event: SecurityEventInput): Promise<void> {
    try {
      await this.events.insert({
        type: event.type,
        userId: event.userId ?? null,
        actorId: event.actorId ?? null,
        sessionId: event.sessionId ?? null,
        ip: event.ip ?? null,
        userAgent: event.userAgent?.slice(0, 512) ?? null,
        details: event.details ?? {},
      });
    } catch (error) {
      this.logger.error(
        `could not record security event ${event.type}: ${(error as Error).message}`,
      );
    }
  }
}
