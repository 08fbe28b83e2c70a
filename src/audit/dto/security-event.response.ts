import { ApiProperty, ApiPropertyOptional, type ApiPropertyOptions } from '@nestjs/swagger';
import type { ChainReport } from '../audit-chain.js';
import {
  SECURITY_EVENT_TYPES,
  type SecurityEvent,
  type SecurityEventDetails,
  type SecurityEventType,
} from '../security-event.entity.js';

/** `details`: a flat map of strings, numbers, booleans and nulls (never a secret). */
const DETAILS_SCHEMA: ApiPropertyOptions = {
  type: 'object',
  additionalProperties: {
    oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }],
    nullable: true,
  },
};

/** One row of the audit log, as an admin sees it (chain fields included). */
export class SecurityEventResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ description: 'Position in the hash chain' }) seq: number;
  @ApiProperty({ enum: SECURITY_EVENT_TYPES }) type: SecurityEventType;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) user_id: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) actor_id: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) session_id: string | null;
  @ApiProperty({ nullable: true, type: String }) ip: string | null;
  @ApiProperty({ nullable: true, type: String }) user_agent: string | null;
  @ApiProperty(DETAILS_SCHEMA) details: SecurityEventDetails;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty() prev_hash: string;
  @ApiProperty() hash: string;
}

export class SecurityEventPageResponse {
  @ApiProperty({ type: [SecurityEventResponse] }) items: SecurityEventResponse[];
  @ApiProperty() total: number;
  @ApiProperty() page: number;
  @ApiProperty() limit: number;
}

/** One of your own events: no chain fields, and an admin's id only as `by_admin`. */
export class OwnSecurityEventResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: SECURITY_EVENT_TYPES }) type: SecurityEventType;
  @ApiProperty({ nullable: true, type: String }) ip: string | null;
  @ApiProperty({ nullable: true, type: String }) user_agent: string | null;
  @ApiProperty(DETAILS_SCHEMA) details: SecurityEventDetails;
  @ApiProperty({ description: 'An admin did this to your account' }) by_admin: boolean;
  @ApiProperty({ format: 'date-time' }) created_at: string;
}

export class OwnSecurityEventPageResponse {
  @ApiProperty({ type: [OwnSecurityEventResponse] }) items: OwnSecurityEventResponse[];
  @ApiProperty() total: number;
  @ApiProperty() page: number;
  @ApiProperty() limit: number;
}

class ChainPoint {
  @ApiProperty() seq: string;
  @ApiProperty() hash: string;
}

class ChainProblemResponse {
  @ApiPropertyOptional({ nullable: true, type: String }) seq: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'uuid' }) id: string | null;
  @ApiProperty() problem: string;
}

export class ChainReportResponse {
  @ApiProperty() valid: boolean;
  @ApiProperty() checked: number;
  @ApiProperty({ type: ChainPoint }) head: ChainPoint;
  @ApiProperty({ type: ChainPoint }) anchor: ChainPoint;
  @ApiProperty({ type: [ChainProblemResponse] }) problems: ChainProblemResponse[];
}

export function toSecurityEventResponse(event: SecurityEvent): SecurityEventResponse {
  return {
    id: event.id,
    seq: Number(event.seq),
    type: event.type,
    user_id: event.userId,
    actor_id: event.actorId,
    session_id: event.sessionId,
    ip: event.ip,
    user_agent: event.userAgent,
    details: event.details,
    created_at: event.createdAt.toISOString(),
    prev_hash: event.prevHash,
    hash: event.hash,
  };
}

export function toOwnSecurityEventResponse(event: SecurityEvent): OwnSecurityEventResponse {
  // An admin's address and browser are theirs, not the user's to see. An operator's CLI counts as one.
  const byAdmin =
    (event.actorId !== null && event.actorId !== event.userId) || event.details.actor === 'cli';
  return {
    id: event.id,
    type: event.type,
    ip: byAdmin ? null : event.ip,
    user_agent: byAdmin ? null : event.userAgent,
    details: event.details,
    by_admin: byAdmin,
    created_at: event.createdAt.toISOString(),
  };
}

export function toChainReportResponse(report: ChainReport): ChainReportResponse {
  return {
    valid: report.valid,
    checked: report.checked,
    head: report.head,
    anchor: report.anchor,
    problems: report.problems,
  };
}
