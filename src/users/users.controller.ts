import { Controller, Get, Patch } from '@nestjs/common';
import { Body, Param } from '../common/validation.js';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AcceptsApiKey } from '../access/api-key.decorator.js';
import { AppError } from '../common/errors/app-error.js';
import { CurrentPrincipal } from '../access/current-principal.decorator.js';
import { NoStore } from '../common/http/no-store.decorator.js';
import type { Principal } from '../access/principal.js';
import { toUserResponse, UserResponse } from './dto/user.response.js';
import { UpdateMeDto } from './dto/update-me.dto.js';
import { UsersService } from './users.service.js';

@ApiTags('users')
@Controller('users')
@NoStore()
export class UsersController {
  constructor(private readonly usersService: UsersService) {}

  @Get('me')
  @AcceptsApiKey()
  @ApiOperation({ summary: 'The authenticated user' })
  @ApiOkResponse({ type: UserResponse })
  me(@CurrentPrincipal() principal: Principal): UserResponse {
    return toUserResponse(principal.user);
  }

  @Patch('me')
  @ApiOperation({ summary: 'Change your own profile (full_name only)' })
  @ApiOkResponse({ type: UserResponse })
  async updateMe(
    @CurrentPrincipal() principal: Principal,
    @Body() body: UpdateMeDto,
  ): Promise<UserResponse> {
    const user = await this.usersService.updateProfile(principal.user.id, {
      fullName: body.full_name,
    });
    return toUserResponse(user);
  }

  @Get(':username')
  @AcceptsApiKey()
  @ApiOperation({ summary: 'A user by username: yourself, or anyone with the read:users scope' })
  @ApiOkResponse({ type: UserResponse })
  async byUsername(
    @CurrentPrincipal() principal: Principal,
    @Param('username') username: string,
  ): Promise<UserResponse> {
    const isSelf = principal.user.username.toLowerCase() === username.toLowerCase();
    if (!isSelf && !principal.scopes.includes('read:users')) {
      throw new AppError('FORBIDDEN', 'Only yourself, or with the read:users scope.');
    }
    const user = isSelf ? principal.user : await this.usersService.findByUsername(username);
    if (!user) throw new AppError('NOT_FOUND', 'No such user.');
    return toUserResponse(user);
  }
}
