import { ApiProperty } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsString,
  Length,
} from 'class-validator';
import { PERMISSIONS, type Permission } from '../../access/roles.js';
import type { OAuthClient } from '../oauth-client.entity.js';

const NAME_MAX_LENGTH = 100;

export class CreateOAuthClientDto {
  @ApiProperty({ minLength: 1, maxLength: NAME_MAX_LENGTH, example: 'billing service' })
  @IsString()
  @Length(1, NAME_MAX_LENGTH, { message: `name must be 1 to ${NAME_MAX_LENGTH} characters long` })
  name: string;

  @ApiProperty({
    type: [String],
    enum: PERMISSIONS,
    description:
      'The most its tokens may carry: a subset of the scopes your own token carries. A token request asks for a subset (or gets all of them).',
    example: ['read:items'],
  })
  @IsArray()
  @ArrayMinSize(1, { message: 'scopes must name at least one scope' })
  @ArrayMaxSize(PERMISSIONS.length)
  @ArrayUnique({ message: 'scopes must not repeat a scope' })
  @IsIn(PERMISSIONS, { each: true, message: 'each scope must be a known permission' })
  scopes: Permission[];
}

export class OAuthClientResponse {
  @ApiProperty({ format: 'uuid' })
  client_id: string;
  @ApiProperty()
  name: string;
  @ApiProperty({ type: [String] })
  scopes: string[];
  @ApiProperty({ format: 'date-time' })
  created_at: string;
}

export class CreatedOAuthClientResponse extends OAuthClientResponse {
  @ApiProperty({ description: 'Shown this once; only its hash is stored' })
  client_secret: string;
}

export class OAuthClientPageResponse {
  @ApiProperty({ type: [OAuthClientResponse] })
  items: OAuthClientResponse[];
  @ApiProperty()
  total: number;
  @ApiProperty()
  page: number;
  @ApiProperty()
  limit: number;
}

export function toOAuthClientResponse(client: OAuthClient): OAuthClientResponse {
  return {
    client_id: client.id,
    name: client.name,
    scopes: client.scopes,
    created_at: client.createdAt.toISOString(),
  };
}

/** The creation answer (API and CLI alike): the client and, this once, its secret. */
export function toCreatedOAuthClientResponse(
  client: OAuthClient,
  secret: string,
): CreatedOAuthClientResponse {
  return { ...toOAuthClientResponse(client), client_secret: secret };
}
