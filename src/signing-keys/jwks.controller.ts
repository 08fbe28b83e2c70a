import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../access/public.decorator.js';
import { SigningKeysService } from './signing-keys.service.js';

/** Fastify's reply and Express's response both have `header(name, value)`. */
interface Reply {
  header(name: string, value: string): unknown;
}

@ApiTags('discovery')
@Controller('.well-known')
export class JwksController {
  constructor(private readonly keys: SigningKeysService) {}

  @Public()
  @Get('jwks.json')
  @ApiOperation({
    summary: 'The public signing keys (RFC 7517); empty while ALGORITHM is an HS one',
    description:
      'Cacheable for less than SIGNING_KEY_PUBLISH_SECONDS, so a relying party sees a new key before it signs.',
  })
  @ApiOkResponse({
    schema: {
      type: 'object',
      properties: { keys: { type: 'array', items: { type: 'object' } } },
      example: {
        keys: [
          { kty: 'EC', crv: 'P-256', x: '...', y: '...', kid: '...', alg: 'ES256', use: 'sig' },
        ],
      },
    },
  })
  jwks(@Res({ passthrough: true }) reply: Reply): { keys: Record<string, string>[] } {
    const maxAge = this.keys.jwksMaxAgeSeconds;
    reply.header('Cache-Control', maxAge > 0 ? `public, max-age=${maxAge}` : 'no-cache');
    return this.keys.jwks();
  }
}
