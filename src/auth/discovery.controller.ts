import { Controller, Get, Inject, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../access/public.decorator.js';
import { authConfig, type AuthConfig } from '../config/auth.config.js';
import { PERMISSIONS } from '../access/roles.js';

export interface AuthorizationServerMetadata {
  issuer: string;
  token_endpoint: string;
  jwks_uri: string;
  revocation_endpoint: string;
  introspection_endpoint: string;
  grant_types_supported: string[];
  response_types_supported: string[];
  scopes_supported: string[];
  token_endpoint_auth_methods_supported: string[];
  revocation_endpoint_auth_methods_supported: string[];
  introspection_endpoint_auth_methods_supported: string[];
}

/**
 * Where the endpoints are: under TOKEN_ISSUER when it is a URL (what RFC 8414 relying parties expect,
 * and right behind any proxy), else under the address this request reached (its Host header was
 * checked against TRUSTED_HOSTS).
 */
function baseUrl(issuer: string, request: { protocol?: string; headers: Record<string, unknown> }) {
  if (/^https?:\/\//.test(issuer)) return issuer.replace(/\/+$/, '');
  return `${request.protocol ?? 'http'}://${String(request.headers.host)}`;
}

@ApiTags('discovery')
@Controller('.well-known')
export class DiscoveryController {
  constructor(@Inject(authConfig.KEY) private readonly config: AuthConfig) {}

  @Public()
  @Get('oauth-authorization-server')
  @ApiOperation({ summary: 'OAuth 2.0 authorization server metadata (RFC 8414)' })
  @ApiOkResponse({ description: "`issuer` equals the tokens' `iss` (TOKEN_ISSUER)" })
  metadata(
    @Req() request: { protocol?: string; headers: Record<string, unknown> },
  ): AuthorizationServerMetadata {
    const base = baseUrl(this.config.issuer, request);
    const clientAuth = ['client_secret_basic', 'client_secret_post'];
    return {
      issuer: this.config.issuer,
      token_endpoint: `${base}/auth/token`,
      jwks_uri: `${base}/.well-known/jwks.json`,
      revocation_endpoint: `${base}/auth/revoke`,
      introspection_endpoint: `${base}/auth/introspect`,
      grant_types_supported: ['password', 'refresh_token', 'client_credentials'],
      response_types_supported: [],
      scopes_supported: [...PERMISSIONS],
      token_endpoint_auth_methods_supported: ['none', ...clientAuth],
      // RFC 7009 revocation needs no client: the token proves itself.
      revocation_endpoint_auth_methods_supported: ['none'],
      introspection_endpoint_auth_methods_supported: clientAuth,
    };
  }
}
