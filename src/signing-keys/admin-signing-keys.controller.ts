import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Roles, Scopes } from '../access/access.decorators.js';
import { CurrentPrincipal } from '../access/current-principal.decorator.js';
import { AppError } from '../common/errors/app-error.js';
import type { RequestClient } from '../common/http/client-info.js';
import { Client } from '../common/http/request-client.decorator.js';
import { NoStore } from '../common/http/no-store.decorator.js';
import type { Principal } from '../access/principal.js';
import { SigningKeysService, type SigningKeyView } from './signing-keys.service.js';

export class SigningKeyResponse implements SigningKeyView {
  @ApiProperty({ description: 'RFC 7638 thumbprint (key pairs) or a digest naming an HS secret' })
  kid: string;
  @ApiProperty({ example: 'ES256' })
  algorithm: string;
  @ApiProperty({ enum: ['pending', 'active', 'retired', 'expired'] })
  state: SigningKeyView['state'];
  @ApiProperty({ type: String, nullable: true, description: 'Published from then' })
  created_at: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Signs from then' })
  activates_at: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'A newer key took over then' })
  retired_at: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Published and accepted until then' })
  published_until: string | null;
}

@ApiTags('admin')
@Controller('admin/signing-keys')
@Roles('admin')
@Scopes('manage:keys')
@NoStore()
export class AdminSigningKeysController {
  constructor(private readonly keys: SigningKeysService) {}

  @Get()
  @ApiOperation({
    summary: 'Signing keys: ids, algorithms, states and dates (never a private half)',
  })
  @ApiOkResponse({ type: [SigningKeyResponse] })
  list(): Promise<SigningKeyView[]> {
    return this.keys.list();
  }

  @Post('rotate')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Create a key: published now, signing after SIGNING_KEY_PUBLISH_SECONDS',
    description:
      'While a key is already waiting to sign, that key is the answer (no second one is made). 409 `KEYS_NOT_ROTATABLE` with an HS algorithm: rotate SECRET_KEY with PREVIOUS_SECRET_KEYS instead.',
  })
  @ApiOkResponse({ type: SigningKeyResponse })
  async rotate(
    @CurrentPrincipal() principal: Principal,
    @Client() client: RequestClient,
  ): Promise<SigningKeyView> {
    const key = await this.keys.rotate({ actorId: principal.user.id, reason: 'manual', client });
    if (!key) throw new AppError('KEYS_NOT_ROTATABLE');
    return key;
  }
}
