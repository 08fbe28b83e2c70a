import { Body, Controller, Get, Patch } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../common/decorators/current-principal.decorator.js';
import { Authenticated } from '../common/decorators/authenticated.decorator.js';
import { NoStore } from '../common/http/no-store.interceptor.js';
import type { Principal } from '../common/principal.js';
import { toUserResponse, UserResponse } from './dto/user.response.js';
import { UpdateMeDto } from './dto/update-me.dto.js';
import { UsersService } from './users.service.js';

@ApiTags('users')
@Controller('users')
@Authenticated()
@NoStore()
export class UsersController {
  constructor(private readonly usersService: UsersService) {}

  @Get('me')
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
}
