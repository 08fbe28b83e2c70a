import { Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { Body, Param, Query } from '../common/validation.js';
import {
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Roles, Scopes } from '../access/access.decorators.js';
import { CurrentPrincipal } from '../access/current-principal.decorator.js';
import type { Principal } from '../access/principal.js';
import { PageQuery } from '../common/dto/page.query.js';
import { AppError } from '../common/errors/app-error.js';
import type { RequestClient } from '../common/http/client-info.js';
import { NoStore } from '../common/http/no-store.decorator.js';
import { Client } from '../common/http/request-client.decorator.js';
import { uuidParam } from '../common/http/uuid-param.js';
import {
  CreatedOAuthClientResponse,
  CreateOAuthClientDto,
  OAuthClientPageResponse,
  toCreatedOAuthClientResponse,
  toOAuthClientResponse,
} from './dto/oauth-client.dto.js';
import { OAuthClientsService } from './oauth-clients.service.js';

@ApiTags('admin')
@Controller('admin/oauth-clients')
@Roles('admin')
@Scopes('manage:clients')
@NoStore()
export class AdminOAuthClientsController {
  constructor(private readonly clients: OAuthClientsService) {}

  @Post()
  @ApiOperation({
    summary: 'Create an OAuth client for the client credentials grant; the secret is shown once',
  })
  @ApiCreatedResponse({ type: CreatedOAuthClientResponse })
  @ApiForbiddenResponse({ description: 'A scope you do not hold yourself' })
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateOAuthClientDto,
    @Client() requester: RequestClient,
  ): Promise<CreatedOAuthClientResponse> {
    // No one hands a machine more than they hold themselves.
    const beyond = body.scopes.filter((scope) => !principal.scopes.includes(scope));
    if (beyond.length > 0) {
      throw new AppError(
        'FORBIDDEN',
        `You cannot grant scopes you do not hold: ${beyond.join(' ')}`,
      );
    }
    const { client, secret } = await this.clients.create(body, {
      actorId: principal.user.id,
      client: requester,
    });
    return toCreatedOAuthClientResponse(client, secret);
  }

  @Get()
  @ApiOperation({ summary: 'Every OAuth client (never a secret), newest first' })
  @ApiOkResponse({ type: OAuthClientPageResponse })
  async list(@Query() query: PageQuery): Promise<OAuthClientPageResponse> {
    const { items, total } = await this.clients.list(query);
    return { items: items.map(toOAuthClientResponse), total, page: query.page, limit: query.limit };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a client: its tokens stop working at once, on every instance' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse()
  async delete(
    @CurrentPrincipal() principal: Principal,
    @Param('id', uuidParam('OAuth client')) id: string,
    @Client() requester: RequestClient,
  ): Promise<void> {
    if (!(await this.clients.delete(id, { actorId: principal.user.id, client: requester }))) {
      throw new AppError('NOT_FOUND', 'No such OAuth client.');
    }
  }
}
