import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AcceptsApiKey } from '../access/api-key.decorator.js';
import { Roles, Scopes } from '../access/access.decorators.js';
import { CurrentPrincipal } from '../access/current-principal.decorator.js';
import { Public } from '../access/public.decorator.js';
import type { AnyPrincipal, Principal } from '../access/principal.js';
import { AcceptsClients } from '../access/client.decorator.js';
import { toUserResponse, type UserResponse } from '../users/dto/user.response.js';
import { UsersService } from '../users/users.service.js';

interface Greeting {
  message: string;
  user_id: string;
  username: string;
  roles: string[];
}

interface ClientGreeting {
  message: string;
  client_id: string;
}

function greet(principal: Principal, message: string): Greeting {
  return {
    message,
    user_id: principal.user.id,
    username: principal.user.username,
    roles: principal.user.roles,
  };
}

/** The original tutorial's demonstration routes, kept so its clients and curl scripts work unchanged. */
@ApiTags('examples')
@Controller('api')
@AcceptsApiKey()
export class ExamplesController {
  constructor(private readonly usersService: UsersService) {}

  @Public()
  @Get('public')
  @ApiOperation({ summary: 'Anyone' })
  publicRoute(): { message: string } {
    return { message: 'This is a public endpoint' };
  }

  @Get('private')
  @AcceptsClients()
  @ApiOperation({ summary: 'Any authenticated principal (OAuth clients too)' })
  privateRoute(@CurrentPrincipal() principal: AnyPrincipal): Greeting | ClientGreeting {
    if (principal.via === 'client') {
      return {
        message: `Hello ${principal.client.name}, this is a private endpoint`,
        client_id: principal.client.id,
      };
    }
    return greet(principal, `Hello ${principal.user.username}, this is a private endpoint`);
  }

  @Get('moderator')
  @Roles('moderator')
  @Scopes('moderate:items')
  @ApiOperation({ summary: 'Moderators and above' })
  moderatorRoute(@CurrentPrincipal() principal: Principal): Greeting {
    return greet(principal, `Hello ${principal.user.username}, this is a moderator endpoint`);
  }

  @Get('admin')
  @Roles('admin')
  @Scopes('write:users')
  @ApiOperation({ summary: 'Admins only' })
  adminRoute(@CurrentPrincipal() principal: Principal): Greeting {
    return greet(principal, `Hello ${principal.user.username}, this is an admin endpoint`);
  }

  @Get('users')
  @Roles('admin')
  @Scopes('read:users')
  @ApiOperation({ summary: 'All users, as the tutorial listed them (first 100)' })
  async users(): Promise<{ users: UserResponse[]; total: number }> {
    const { items, total } = await this.usersService.list({ page: 1, limit: 100 });
    return { users: items.map(toUserResponse), total };
  }
}
