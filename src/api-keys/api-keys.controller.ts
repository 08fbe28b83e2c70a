import { Controller, Delete, Get, Headers, HttpCode, Ip, Post } from '@nestjs/common';
import { Body, Param } from '../common/validation.js';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { RequireRecentAuth } from '../access/access.decorators.js';
import { CurrentPrincipal } from '../access/current-principal.decorator.js';
import { AppError } from '../common/errors/app-error.js';
import { NoStore } from '../common/http/no-store.decorator.js';
import { uuidParam } from '../common/http/uuid-param.js';
import type { Principal } from '../access/principal.js';
import { ApiKeysService, type KeyClient } from './api-keys.service.js';
import { CreateApiKeyDto } from './dto/create-api-key.dto.js';
import {
  ApiKeyResponse,
  CreatedApiKeyResponse,
  toApiKeyResponse,
  toCreatedApiKeyResponse,
} from './dto/api-key.response.js';

const client = (ip: string | undefined, userAgent: string | undefined): KeyClient => ({
  ip,
  userAgent: typeof userAgent === 'string' ? userAgent : undefined,
});

/** A user's own API keys. Bearer tokens only: a key cannot mint, list or revoke keys. */
@ApiTags('api-keys')
@Controller('api-keys')
@NoStore()
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Post()
  @RequireRecentAuth()
  @ApiOperation({
    summary: 'Create an API key; the key is in this response only',
    description:
      'Scopes must be a subset of the scopes your token carries (403 otherwise). Send the key as `X-API-Key`.',
  })
  @ApiCreatedResponse({ type: CreatedApiKeyResponse })
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateApiKeyDto,
    @Ip() ip: string | undefined,
    @Headers('user-agent') userAgent: string | undefined,
  ): Promise<CreatedApiKeyResponse> {
    const { apiKey, key } = await this.apiKeys.create(
      principal,
      { name: body.name, scopes: body.scopes, expiresAt: body.expires_at ?? null },
      client(ip, userAgent),
    );
    return toCreatedApiKeyResponse(apiKey, key);
  }

  @Get()
  @ApiOperation({ summary: 'Your API keys (not revoked): prefix and last use, never the secret' })
  @ApiOkResponse({ type: [ApiKeyResponse] })
  async list(@CurrentPrincipal() principal: Principal): Promise<ApiKeyResponse[]> {
    return (await this.apiKeys.listOwn(principal.user.id)).map(toApiKeyResponse);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary:
      'Revoke one of your API keys (anyone’s with manage:api_keys); it stops working at once',
  })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'No such key, already revoked, or someone else’s' })
  async revoke(
    @CurrentPrincipal() principal: Principal,
    @Param('id', uuidParam('API key')) id: string,
    @Ip() ip: string | undefined,
    @Headers('user-agent') userAgent: string | undefined,
  ): Promise<void> {
    if (!(await this.apiKeys.revoke(principal, id, client(ip, userAgent))))
      throw new AppError('NOT_FOUND', 'No such API key.');
  }
}
