import { Controller, Delete, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { Body, Param, Query } from '../common/validation.js';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Scopes } from '../access/access.decorators.js';
import { CurrentPrincipal } from '../access/current-principal.decorator.js';
import { AppError } from '../common/errors/app-error.js';
import type { RequestClient } from '../common/http/client-info.js';
import { Client } from '../common/http/request-client.decorator.js';
import { uuidParam } from '../common/http/uuid-param.js';
import { NoStore } from '../common/http/no-store.decorator.js';
import type { Principal } from '../access/principal.js';
import { AdminUpdateUserDto } from './dto/admin-update-user.dto.js';
import { ListUsersQuery } from './dto/list-users.query.js';
import { UserPageResponse } from './dto/user-page.response.js';
import { LoginAttemptsService } from '../login-attempts/login-attempts.service.js';
import { AdminUserResponse, toAdminUserResponse } from './dto/user.response.js';
import type { User } from './user.entity.js';
import { UsersService } from './users.service.js';

@ApiTags('admin')
@Controller('admin/users')
@NoStore()
export class AdminUsersController {
  constructor(
    private readonly usersService: UsersService,
    private readonly loginAttempts: LoginAttemptsService,
  ) {}

  /** The user with the state of their login lockout. */
  private async view(user: User): Promise<AdminUserResponse> {
    return toAdminUserResponse(user, await this.loginAttempts.lockState(user.id));
  }

  @Get()
  @Scopes('read:users')
  @ApiOperation({ summary: 'List users, with search, role and status filters' })
  @ApiOkResponse({ type: UserPageResponse })
  async list(@Query() query: ListUsersQuery): Promise<UserPageResponse> {
    const { items, total } = await this.usersService.list({
      page: query.page,
      limit: query.limit,
      search: query.search,
      role: query.role,
      isActive: query.is_active,
    });
    return {
      items: await Promise.all(items.map((user) => this.view(user))),
      total,
      page: query.page,
      limit: query.limit,
    };
  }

  @Get(':id')
  @Scopes('read:users')
  @ApiOperation({ summary: 'One user' })
  @ApiOkResponse({ type: AdminUserResponse })
  async get(@Param('id', uuidParam('user')) id: string): Promise<AdminUserResponse> {
    const user = await this.usersService.findById(id);
    if (!user) throw new AppError('NOT_FOUND', 'No such user.');
    return this.view(user);
  }

  @Patch(':id')
  @Scopes('write:users')
  @ApiOperation({
    summary: 'Change roles, extra permissions, status or name; disabling ends the user’s sessions',
  })
  @ApiOkResponse({ type: AdminUserResponse })
  async update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', uuidParam('user')) id: string,
    @Body() body: AdminUpdateUserDto,
    @Client() client: RequestClient,
  ): Promise<AdminUserResponse> {
    const changes = {
      roles: body.roles,
      permissions: body.permissions,
      isActive: body.is_active,
      fullName: body.full_name,
    };
    const user = await this.usersService.adminUpdate(principal.user.id, id, changes, client);
    return this.view(user);
  }

  @Delete(':id')
  @HttpCode(204)
  @Scopes('delete:users')
  @ApiOperation({ summary: 'Delete a user (their sessions, keys and items go with them)' })
  @ApiNoContentResponse()
  async remove(
    @CurrentPrincipal() principal: Principal,
    @Param('id', uuidParam('user')) id: string,
    @Client() client: RequestClient,
  ): Promise<void> {
    await this.usersService.adminDelete(principal.user.id, id, client);
  }

  @Post(':id/unlock')
  @HttpCode(204)
  @Scopes('write:users')
  @ApiOperation({ summary: 'Lift a login lockout before it ends by itself' })
  @ApiNoContentResponse()
  async unlock(
    @CurrentPrincipal() principal: Principal,
    @Param('id', uuidParam('user')) id: string,
    @Client() client: RequestClient,
  ): Promise<void> {
    await this.usersService.unlock(principal.user.id, id, client);
  }
}
