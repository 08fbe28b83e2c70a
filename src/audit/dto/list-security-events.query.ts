import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsIn, IsOptional, IsUUID } from 'class-validator';
import { SECURITY_EVENT_TYPES, type SecurityEventType } from '../security-event.entity.js';
import { DateTimeFilter } from '../../common/dto/date-time.rules.js';
import { PageQuery } from '../../common/dto/page.query.js';

/** Paging shared by the admin log and a user's own events. */
export class SecurityEventPageQuery extends PageQuery {}

export class ListSecurityEventsQuery extends SecurityEventPageQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'Events about this user' })
  @IsOptional()
  @IsUUID()
  user_id?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Events caused by this admin' })
  @IsOptional()
  @IsUUID()
  actor_id?: string;

  @ApiPropertyOptional({
    description: 'Event type, or several separated by commas',
    enum: SECURITY_EVENT_TYPES,
  })
  @IsOptional()
  @Transform(({ value }) =>
    typeof value === 'string' ? value.split(',').map((item) => item.trim()) : value,
  )
  @ArrayMaxSize(SECURITY_EVENT_TYPES.length)
  @IsIn(SECURITY_EVENT_TYPES, { each: true, message: 'type must be a known event type' })
  type?: SecurityEventType[];

  @DateTimeFilter('From this time on (inclusive), RFC 3339')
  from?: string;

  @DateTimeFilter('Before this time (exclusive), RFC 3339')
  to?: string;
}
