import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiOAuth2, ApiUnauthorizedResponse } from '@nestjs/swagger';

export const OAUTH2_SCHEME = 'oauth2';
export const BEARER_SCHEME = 'bearer';

/**
 * Documents what the global guard enforces on a route without `@Public()`: a bearer token from the
 * OAuth2 password flow. Swagger UI's Authorize button then attaches the token to these operations.
 */
export const Authenticated = () =>
  applyDecorators(
    ApiOAuth2([], OAUTH2_SCHEME),
    ApiBearerAuth(BEARER_SCHEME),
    ApiUnauthorizedResponse({
      description: 'Missing, invalid or expired access token (problem details)',
    }),
  );
