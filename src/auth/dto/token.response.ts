import { ApiProperty } from '@nestjs/swagger';

export class TokenResponseDto {
  @ApiProperty() access_token: string;
  @ApiProperty({ enum: ['bearer'] }) token_type: 'bearer';
  @ApiProperty({ description: 'Access token lifetime in seconds' }) expires_in: number;
  @ApiProperty() refresh_token: string;
  @ApiProperty({ description: 'Space-separated granted scopes' }) scope: string;
}

export class OAuth2ErrorDto {
  @ApiProperty({
    enum: ['invalid_request', 'invalid_grant', 'unsupported_grant_type', 'invalid_scope'],
  })
  error: string;
  @ApiProperty() error_description: string;
}
