import { Controller, Get } from '@nestjs/common';
import { Query } from '../common/validation.js';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { parseRfc3339 } from '../common/dto/date-time.rules.js';
import { Scopes } from '../access/access.decorators.js';
import { CurrentPrincipal } from '../access/current-principal.decorator.js';
import { NoStore } from '../common/http/no-store.decorator.js';
import type { Principal } from '../access/principal.js';
import {
  ListSecurityEventsQuery,
  SecurityEventPageQuery,
} from './dto/list-security-events.query.js';
import {
  ChainReportResponse,
  OwnSecurityEventPageResponse,
  SecurityEventPageResponse,
  toChainReportResponse,
  toOwnSecurityEventResponse,
  toSecurityEventResponse,
} from './dto/security-event.response.js';
import { SecurityEventsService } from './security-events.service.js';

@ApiTags('admin')
@Controller('admin/audit')
@NoStore()
export class AdminAuditController {
  constructor(private readonly events: SecurityEventsService) {}

  @Get()
  @Scopes('read:audit')
  @ApiOperation({
    summary: 'The audit log, newest first; filter by user, actor, type (comma list) and time range',
  })
  @ApiOkResponse({ type: SecurityEventPageResponse })
  async list(@Query() query: ListSecurityEventsQuery): Promise<SecurityEventPageResponse> {
    const { items, total } = await this.events.list({
      page: query.page,
      limit: query.limit,
      userId: query.user_id,
      actorId: query.actor_id,
      types: query.type,
      from: query.from === undefined ? undefined : parseRfc3339(query.from),
      to: query.to === undefined ? undefined : parseRfc3339(query.to),
    });
    return {
      items: items.map(toSecurityEventResponse),
      total,
      page: query.page,
      limit: query.limit,
    };
  }

  @Get('verify')
  @Scopes('read:audit')
  @ApiOperation({
    summary:
      'Check the hash chain: names the rows that were altered or deleted (same as npm run audit:verify)',
  })
  @ApiOkResponse({ type: ChainReportResponse })
  async verify(): Promise<ChainReportResponse> {
    return toChainReportResponse(await this.events.verify());
  }
}

@ApiTags('users')
@Controller('users/me/security-events')
@NoStore()
export class MySecurityEventsController {
  constructor(private readonly events: SecurityEventsService) {}

  @Get()
  @ApiOperation({
    summary:
      'Your own recent security events: logins (IP, user agent), password, 2FA and account changes',
  })
  @ApiOkResponse({ type: OwnSecurityEventPageResponse })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: SecurityEventPageQuery,
  ): Promise<OwnSecurityEventPageResponse> {
    const { items, total } = await this.events.list({
      page: query.page,
      limit: query.limit,
      userId: principal.user.id,
    });
    return {
      items: items.map(toOwnSecurityEventResponse),
      total,
      page: query.page,
      limit: query.limit,
    };
  }
}
