import { Controller, Delete, HttpCode } from '@nestjs/common';
import { Param } from '../common/validation.js';
import { ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Scopes } from '../access/access.decorators.js';
import { CurrentPrincipal } from '../access/current-principal.decorator.js';
import type { Principal } from '../access/principal.js';
import { uuidParam } from '../common/http/uuid-param.js';
import { UsersService } from '../users/users.service.js';
import { AuthService, type ClientInfo } from './auth.service.js';
import { Client } from '../common/http/request-client.decorator.js';

@ApiTags('admin')
@Controller('admin/users')
export class AdminSessionsController {
  constructor(
    private readonly authService: AuthService,
    private readonly usersService: UsersService,
  ) {}

  @Delete(':id/sessions')
  @HttpCode(204)
  @Scopes('write:users')
  @ApiOperation({ summary: 'End every session of a user (their tokens stop working at once)' })
  @ApiNoContentResponse()
  async endAll(
    @CurrentPrincipal() principal: Principal,
    @Param('id', uuidParam('user'))
    id: string,
    @Client() client: ClientInfo,
  ): Promise<void> {
    await this.usersService.checkCanManageUser(principal.user.id, id, 'write:users');
    await this.authService.endAllSessions(id, {
      actorId: principal.user.id,
      client,
      reason: 'admin',
    });
  }
}
