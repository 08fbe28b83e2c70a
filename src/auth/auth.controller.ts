import { Controller, Get, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { Body, Query } from '../common/validation.js';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiNoContentResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { RequireRecentAuth } from '../access/access.decorators.js';
import { CurrentPrincipal } from '../access/current-principal.decorator.js';
import { Public } from '../access/public.decorator.js';
import { AppError } from '../common/errors/app-error.js';
import { OAuth2Error } from '../common/errors/oauth2-error.js';
import { NoStore } from '../common/http/no-store.decorator.js';
import { AuthRateLimit } from '../common/throttling.js';
import type { Principal } from '../access/principal.js';
import { RegisterDto } from '../users/dto/register.dto.js';
import { toUserResponse, UserResponse } from '../users/dto/user.response.js';
import type { User } from '../users/user.entity.js';
import { CLIENT_BASIC_SCHEME } from '../swagger.js';
import { UsersService } from '../users/users.service.js';
import {
  AuthService,
  type ClientInfo,
  type ClientTokenResponse,
  type TokenResponse,
} from './auth.service.js';
import { readClientCredentials } from './client-authentication.js';
import { IntrospectionService, type IntrospectionResponse } from './introspection.service.js';
import { Client } from '../common/http/request-client.decorator.js';
import { ChangePasswordDto } from './dto/change-password.dto.js';
import { RefreshDto } from './dto/refresh.dto.js';
import { param, parseTokenRequest } from './dto/token-request.js';
import { OAuth2ErrorDto, TokenResponseDto } from './dto/token.response.js';
import { SetsDeviceCookie } from './device-cookie.js';
import { LocalAuthGuard } from './guards.js';
import { parseScope } from '../access/scope.js';

const FORM = 'application/x-www-form-urlencoded';

/** RFC 6749 and 7009 endpoints take form-encoded bodies only. */
/** The body of a form-encoded OAuth request as its fields (anything else: no fields). */
function formFields(body: unknown): Record<string, unknown> {
  return (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
}

/** OpenAPI body of the two endpoints that take a token and a hint (RFC 7009, RFC 7662). */
function tokenFormBody(hints: string[]) {
  return ApiBody({
    schema: {
      type: 'object',
      required: ['token'],
      properties: { token: { type: 'string' }, token_type_hint: { type: 'string', enum: hints } },
    },
  });
}

function requireForm(request: { headers: Record<string, unknown> }, what: string): void {
  const contentType = String(request.headers['content-type'] ?? '').toLowerCase();
  if (!contentType.startsWith(FORM))
    throw new OAuth2Error('invalid_request', `The ${what} must be sent as ${FORM}.`);
}

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly authService: AuthService,
    private readonly usersService: UsersService,
    private readonly introspection: IntrospectionService,
  ) {}

  @Public()
  @Post('register')
  @AuthRateLimit()
  @NoStore()
  @ApiOperation({ summary: 'Create an account (role `user`)' })
  @ApiCreatedResponse({ type: UserResponse })
  @ApiBadRequestResponse({ description: 'Invalid body: problem details naming the fields' })
  @ApiConflictResponse({ description: 'USER_EXISTS: the email or username is taken' })
  async register(@Body() body: RegisterDto): Promise<UserResponse> {
    const user = await this.usersService.create({
      email: body.email,
      username: body.username,
      password: body.password,
      fullName: body.full_name,
    });
    return toUserResponse(user);
  }

  @Public()
  @Post('token')
  @AuthRateLimit()
  @SetsDeviceCookie()
  @HttpCode(200)
  @NoStore()
  @ApiOperation({
    summary:
      'OAuth2 token endpoint (RFC 6749): password, refresh_token and client_credentials grants',
    description:
      'client_credentials: the client authenticates with HTTP Basic (`client_id:client_secret`) or the form fields; the answer has no refresh token; a bad client is 401 `invalid_client` with `WWW-Authenticate: Basic`.',
  })
  @ApiConsumes(FORM)
  @ApiBody({
    schema: {
      type: 'object',
      properties: {
        grant_type: { type: 'string', enum: ['password', 'refresh_token', 'client_credentials'] },
        client_id: { type: 'string', description: 'client_credentials with client_secret_post' },
        client_secret: { type: 'string', format: 'password' },
        username: { type: 'string', description: 'Username or email (password grant)' },
        password: { type: 'string', format: 'password' },
        refresh_token: { type: 'string' },
        scope: { type: 'string', description: 'Space-separated subset of your permissions' },
      },
    },
  })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiBadRequestResponse({ type: OAuth2ErrorDto, description: 'RFC 6749 §5.2 error' })
  async token(
    @Body() body: unknown,
    @Req() request: { headers: Record<string, unknown> },
    @Client() client: ClientInfo,
  ): Promise<TokenResponse | ClientTokenResponse> {
    requireForm(request, 'token request');
    const grant = parseTokenRequest(body);
    switch (grant.grantType) {
      case 'password':
        return this.authService.passwordGrant(grant.username, grant.password, grant.scope, client);
      case 'refresh_token':
        return this.authService.refreshGrant(grant.refreshToken, grant.scope, client);
      case 'client_credentials':
        return this.authService.clientCredentialsGrant(
          readClientCredentials(request.headers, body as Record<string, unknown>),
          grant.scope,
        );
    }
  }

  @Public()
  @Post('introspect')
  @HttpCode(200)
  @NoStore()
  @ApiSecurity(CLIENT_BASIC_SCHEME)
  @ApiOperation({
    summary: 'RFC 7662 token introspection, for OAuth clients (HTTP Basic or client_secret_post)',
    description:
      'Answers from the same checks as a request (signature, expiry, revoked session, disabled user, deleted client), read from the database. Anything else, refresh tokens included, is `{ "active": false }`.',
  })
  @ApiConsumes(FORM)
  @tokenFormBody(['access_token', 'refresh_token'])
  @ApiOkResponse({ description: '`{ active: true, scope, sub, exp, ... }` or `{ active: false }`' })
  @ApiUnauthorizedResponse({ type: OAuth2ErrorDto, description: 'invalid_client' })
  async introspect(
    @Body() body: unknown,
    @Req() request: { headers: Record<string, unknown> },
  ): Promise<IntrospectionResponse> {
    const form = formFields(body);
    // The client first: whoever cannot authenticate learns nothing else (401 invalid_client).
    await this.authService.authenticateClient(readClientCredentials(request.headers, form));
    requireForm(request, 'introspection request');
    const token = param(form, 'token', true)!;
    return this.introspection.introspect(token);
  }

  @Public()
  @Post('login')
  @AuthRateLimit()
  @SetsDeviceCookie()
  @HttpCode(200)
  @NoStore()
  @UseGuards(LocalAuthGuard)
  @ApiOperation({ summary: 'Password login, form or JSON (the original tutorial path)' })
  @ApiConsumes(FORM, 'application/json')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['username', 'password'],
      properties: {
        username: { type: 'string' },
        password: { type: 'string', format: 'password' },
        scope: { type: 'string' },
      },
    },
  })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiBadRequestResponse({ type: OAuth2ErrorDto })
  login(
    @Req() request: { user: User; body?: { scope?: unknown } },
    @Client() client: ClientInfo,
  ): Promise<TokenResponse> {
    const scope = request.body?.scope;
    if (scope !== undefined && typeof scope !== 'string') {
      throw new OAuth2Error('invalid_request', 'The scope parameter must be a string.');
    }
    return this.authService.passwordLogin(request.user, parseScope(scope), client);
  }

  @Public()
  @Post('refresh')
  @AuthRateLimit()
  @HttpCode(200)
  @NoStore()
  @ApiOperation({
    summary: 'Rotate a refresh token (JSON body, or ?refresh_token= for old clients)',
  })
  @ApiQuery({ name: 'refresh_token', required: false, deprecated: true })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiUnauthorizedResponse({ description: 'INVALID_REFRESH_TOKEN' })
  async refresh(
    @Body() body: RefreshDto,
    @Query('refresh_token') fromQuery: unknown,
    @Client() client: ClientInfo,
  ): Promise<TokenResponse> {
    const token = body?.refresh_token ?? (typeof fromQuery === 'string' ? fromQuery : undefined);
    if (!token) {
      throw new AppError('VALIDATION_FAILED', 'A refresh_token is required.', {
        errors: [{ field: 'refresh_token', message: 'refresh_token is required' }],
      });
    }
    try {
      return await this.authService.refreshGrant(token, undefined, client);
    } catch (error) {
      if (error instanceof OAuth2Error) throw new AppError('INVALID_REFRESH_TOKEN');
      throw error;
    }
  }

  @Get('me')
  @NoStore()
  @ApiOperation({ summary: 'The authenticated user (same as GET /users/me)' })
  @ApiOkResponse({ type: UserResponse })
  me(@CurrentPrincipal() principal: Principal): UserResponse {
    return toUserResponse(principal.user);
  }

  @Post('logout')
  @HttpCode(204)
  @ApiOperation({
    summary: 'End the current session: its access and refresh tokens stop working at once',
  })
  @ApiNoContentResponse()
  async logout(
    @CurrentPrincipal() principal: Principal,
    @Client() client: ClientInfo,
  ): Promise<void> {
    await this.authService.logout(principal.user.id, principal.sessionId, client);
  }

  @Public()
  @Post('revoke')
  @HttpCode(200)
  @NoStore()
  @ApiOperation({
    summary: 'RFC 7009 token revocation: 200 whatever the token; the token proves itself',
  })
  @ApiConsumes(FORM)
  @tokenFormBody(['refresh_token', 'access_token'])
  @ApiOkResponse({ description: 'Revoked, or nothing to revoke' })
  @ApiBadRequestResponse({ type: OAuth2ErrorDto })
  async revoke(
    @Body() body: unknown,
    @Req() request: { headers: Record<string, unknown> },
    @Client() client: ClientInfo,
  ): Promise<void> {
    requireForm(request, 'revocation request');
    const form = formFields(body);
    const hint = typeof form.token_type_hint === 'string' ? form.token_type_hint : undefined;
    await this.authService.revokeToken(param(form, 'token', true)!, hint, client);
  }

  @Post('password/change')
  @HttpCode(204)
  @RequireRecentAuth()
  @AuthRateLimit()
  @ApiOperation({ summary: 'Change your password; your other sessions end' })
  @ApiNoContentResponse()
  async changePassword(
    @CurrentPrincipal() principal: Principal,
    @Body() body: ChangePasswordDto,
    @Client() client: ClientInfo,
  ): Promise<void> {
    await this.authService.changePassword(
      principal.user,
      principal.sessionId,
      body.current_password,
      body.new_password,
      client,
    );
  }
}
