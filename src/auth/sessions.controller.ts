import { Controller, Delete, Get, HttpCode } from '@nestjs/common';
import { Param } from '../common/validation.js';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireRecentAuth } from '../access/access.decorators.js';
import { CurrentPrincipal } from '../access/current-principal.decorator.js';
import { AppError } from '../common/errors/app-error.js';
import { uuidParam } from '../common/http/uuid-param.js';
import { NoStore } from '../common/http/no-store.decorator.js';
import type { Principal } from '../access/principal.js';
import { SessionResponse, toSessionResponse } from './dto/session.response.js';
import { AuthService, type ClientInfo } from './auth.service.js';
import { Client } from '../common/http/request-client.decorator.js';
import { SessionsService } from './sessions.service.js';

@ApiTags('sessions')
@Controller('auth/sessions')
@NoStore()
export class SessionsController {
  constructor(
    private readonly sessions: SessionsService,
    private readonly authService: AuthService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Your active sessions (one per login, across refreshes)' })
  @ApiOkResponse({ type: [SessionResponse] })
  async list(@CurrentPrincipal() principal: Principal): Promise<SessionResponse[]> {
    const sessions = await this.sessions.listActive(principal.user.id);
    return sessions.map((session) => toSessionResponse(session, principal.sessionId));
  }

  @Delete()
  @HttpCode(204)
  @RequireRecentAuth()
  @ApiOperation({ summary: 'End all your sessions but the current one' })
  @ApiNoContentResponse()
  async endOthers(
    @CurrentPrincipal() principal: Principal,
    @Client() client: ClientInfo,
  ): Promise<void> {
    await this.authService.endAllSessions(principal.user.id, {
      keep: principal.sessionId,
      client,
      reason: 'user',
    });
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'End one of your sessions; another user’s is a 404' })
  @ApiNoContentResponse()
  async end(
    @CurrentPrincipal() principal: Principal,
    @Param('id', uuidParam('session')) id: string,
    @Client() client: ClientInfo,
  ): Promise<void> {
    if (!(await this.authService.endSession(principal.user.id, id, client)))
      throw new AppError('NOT_FOUND', 'No such session.');
  }
}
