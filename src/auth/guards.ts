import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { API_KEY_HEADER } from '../access/api-key.decorator.js';
import { ApiKeyStrategy } from '../api-keys/api-key.strategy.js';
import { AppError, type ErrorCode } from '../common/errors/app-error.js';
import { OAuth2Error } from '../common/errors/oauth2-error.js';
import { accessPolicyOf } from '../access/authorization.guard.js';
import { runStrategy, type StrategyResult } from './run-strategy.js';
import { JwtStrategy } from './strategies/jwt.strategy.js';

type AuthenticatedRequest = { headers: Record<string, unknown>; user?: unknown };

/**
 * The global authentication guard: every route needs a credential unless it says `@Public()`. That is
 * a bearer access token (JwtStrategy), or an `X-API-Key` where the route says `@AcceptsApiKey()`
 * (ApiKeyStrategy). A request carrying both is refused (400) rather than authenticated as either or as
 * a union of the two. Metadata is read handler first, then class. No principal means no access:
 * invalid, revoked and expired API keys all get one 401, and so do tokens.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly jwtStrategy: JwtStrategy,
    private readonly apiKeyStrategy: ApiKeyStrategy,
  ) {}

  /** Synchronous when the strategy answers from memory (the usual request); a promise otherwise. */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const policy = accessPolicyOf(this.reflector, context);
    if (policy.isPublic) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const { headers } = request;
    if (headers[API_KEY_HEADER] !== undefined) {
      if (headers.authorization !== undefined) throw new AppError('CONFLICTING_CREDENTIALS');
      if (!policy.acceptsApiKey) {
        throw new AppError(
          'UNAUTHENTICATED',
          'This operation needs a bearer token; API keys are not accepted here.',
        );
      }
      return admit(request, runStrategy(this.apiKeyStrategy, request), 'INVALID_API_KEY');
    }
    const refusal = headers.authorization ? 'INVALID_TOKEN' : 'UNAUTHENTICATED';
    return admit(request, runStrategy(this.jwtStrategy, request), refusal);
  }
}

/** The request's principal is set, or the request is refused with `refusal`. */
function admit(
  request: AuthenticatedRequest,
  principal: StrategyResult<unknown>,
  refusal: ErrorCode,
): boolean | Promise<boolean> {
  if (principal instanceof Promise)
    return principal.then((later) => admit(request, later, refusal));
  if (!principal) throw new AppError(refusal);
  request.user = principal;
  return true;
}

/** `/auth/login`: the password grant through passport-local, failures in RFC 6749 form. */
@Injectable()
export class LocalAuthGuard extends AuthGuard('local') {
  override handleRequest<T>(error: unknown, user: T): T {
    if (error) throw error;
    if (!user) throw new OAuth2Error('invalid_request', 'username and password are required.');
    return user;
  }
}
