import { ApiProperty } from '@nestjs/swagger';
import type { ApiKey } from '../api-key.entity.js';

/** A key as its owner sees it in a list: never the secret or its hash. */
export class ApiKeyResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({
    description: 'The start of the key, to tell keys apart',
    example: 'gatehouse_3fKq9ZaB',
  })
  prefix: string;
  @ApiProperty({ type: [String] }) scopes: string[];
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) expires_at: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Updated at most about once a minute',
  })
  last_used_at: string | null;
}

/** The creation response: the only place the key itself ever appears. */
export class CreatedApiKeyResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ example: 'gatehouse_3fKq9ZaB' }) prefix: string;
  @ApiProperty({ type: [String] }) scopes: string[];
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) expires_at: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ description: 'The key; shown this once, send it as X-API-Key' }) key: string;
}

/** What a holder of manage:api_keys sees: whose key it is, and whether it was revoked. */
export class AdminApiKeyResponse extends ApiKeyResponse {
  @ApiProperty({ format: 'uuid' }) user_id: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) revoked_at: string | null;
}

export class AdminApiKeyPageResponse {
  @ApiProperty({ type: [AdminApiKeyResponse] }) items: AdminApiKeyResponse[];
  @ApiProperty() total: number;
  @ApiProperty() page: number;
  @ApiProperty() limit: number;
}

const iso = (date: Date | null) => date?.toISOString() ?? null;

export function toApiKeyResponse(key: ApiKey): ApiKeyResponse {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    scopes: key.scopes,
    expires_at: iso(key.expiresAt),
    created_at: key.createdAt.toISOString(),
    last_used_at: iso(key.lastUsedAt),
  };
}

export function toCreatedApiKeyResponse(key: ApiKey, secret: string): CreatedApiKeyResponse {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    scopes: key.scopes,
    expires_at: iso(key.expiresAt),
    created_at: key.createdAt.toISOString(),
    key: secret,
  };
}

export function toAdminApiKeyResponse(key: ApiKey): AdminApiKeyResponse {
  return { ...toApiKeyResponse(key), user_id: key.userId, revoked_at: iso(key.revokedAt) };
}
