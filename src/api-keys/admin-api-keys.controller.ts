import { Controller, Get } from '@nestjs/common';
import { Query } from '../common/validation.js';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Scopes } from '../access/access.decorators.js';
import { NoStore } from '../common/http/no-store.decorator.js';
import { ApiKeysService } from './api-keys.service.js';
import { AdminApiKeyPageResponse, toAdminApiKeyResponse } from './dto/api-key.response.js';
import { ListApiKeysQuery } from './dto/list-api-keys.query.js';

@ApiTags('admin')
@Controller('admin/api-keys')
@NoStore()
export class AdminApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Get()
  @Scopes('manage:api_keys')
  @ApiOperation({
    summary: 'Every API key (revoked ones too), or one user’s with ?user_id=; never a secret',
  })
  @ApiOkResponse({ type: AdminApiKeyPageResponse })
  async list(@Query() query: ListApiKeysQuery): Promise<AdminApiKeyPageResponse> {
    const { items, total } = await this.apiKeys.listAll({
      userId: query.user_id,
      page: query.page,
      limit: query.limit,
    });
    return { items: items.map(toAdminApiKeyResponse), total, page: query.page, limit: query.limit };
  }
}
