import { Controller, Delete, HttpCode } from '@nestjs/common';
import { Param } from '../common/validation.js';
import { ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Scopes } from '../access/access.decorators.js';
import { CurrentPrincipal } from '../access/current-principal.decorator.js';
import { uuidParam } from '../common/http/uuid-param.js';
import type { RequestClient } from '../common/http/client-info.js';
import { Client } from '../common/http/request-client.decorator.js';
import type { Principal } from '../access/principal.js';
import { TwoFactorService } from './two-factor.service.js';

/** Lives with two-factor, not with the users admin routes: users imports nothing of two-factor. */
@ApiTags('admin')
@Controller('admin/users')
export class AdminTwoFactorController {
  constructor(private readonly twoFactor: TwoFactorService) {}

  @Delete(':id/2fa')
  @HttpCode(204)
  @Scopes('write:users')
  @ApiOperation({
    summary: 'Turn a user’s two-factor off (lost device); their recovery codes go with it',
  })
  @ApiNoContentResponse()
  async reset(
    @CurrentPrincipal() principal: Principal,
    @Param('id', uuidParam('user')) id: string,
    @Client() client: RequestClient,
  ): Promise<void> {
    await this.twoFactor.adminReset(principal.user.id, id, client);
  }
}
