import { Controller, Delete, HttpCode, Param } from '@nestjs/common';
import { ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Scopes } from '../common/decorators/access.decorators.js';
import { AppError } from '../common/errors/app-error.js';
import { uuidParam } from '../common/http/uuid-param.js';
import { UsersService } from '../users/users.service.js';
import { SessionsService } from './sessions.service.js';

@ApiTags('admin')
@Controller('admin/users')
export class AdminSessionsController {
  constructor(
    private readonly sessions: SessionsService,
    private readonly usersService: UsersService,
  ) {}

  @Delete(':id/sessions')
  @HttpCode(204)
  @Scopes('write:users')
  @ApiOperation({ summary: 'End every session of a user (their tokens stop working at once)' })
  @ApiNoContentResponse()
  async endAll(
    @Param('id', uuidParam('user'))
    id: string,
  ): Promise<void> {
    if (!(await this.usersService.findById(id))) throw new AppError('NOT_FOUND', 'No such user.');
    await this.sessions.revokeAllOf(id);
  }
}
