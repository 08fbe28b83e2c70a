import { type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { API_KEY_HEADER, API_KEY_STRATEGY } from '../access/api-key.decorator.js';
import { AppError } from '../common/errors/app-error.js';
import { OAuth2Error } from '../common/errors/oauth2-error.js';
import { accessPolicyOf } from '../access/authorization.guard.js';

type Headers = Record<string, unknown>;

/** `X-API-Key` through the API-key strategy: invalid, revoked and expired keys all get one 401. */
@Injectable()
export class ApiKeyAuthGuard extends AuthGuard(API_KEY_STRATEGY) {
  override handleRequest<T>(error: unknown, principal: T): T {
    if (error) throw error;
    if (!principal) throw new AppError('INVALID_API_KEY');
    return principal;
  }
}

/**
 * The global authentication guard: every route needs a credential unless it says `@Public()`. That is
 * a bearer access token, or an `X-API-Key` where the route says `@AcceptsApiKey()`. A request carrying
 * both is refused (400) rather than authenticated as either or as a union of the two. Metadata is read
 * handler first, then class. No principal means no access.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  private readonly apiKeyGuard = new ApiKeyAuthGuard();

  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    const policy = accessPolicyOf(this.reflector, context);
    if (policy.isPublic) return true;
    const headers = context.switchToHttp().getRequest<{ headers: Headers }>().headers;
    if (headers[API_KEY_HEADER] !== undefined) {
      if (headers.authorization !== undefined) throw new AppError('CONFLICTING_CREDENTIALS');
      if (!policy.acceptsApiKey) {
        throw new AppError(
          'UNAUTHENTICATED',
          'This operation needs a bearer token; API keys are not accepted here.',
        );
      }
      return this.apiKeyGuard.canActivate(context);
    }
    return super.canActivate(context);
  }

  override handleRequest<T>(
    error: unknown,
    principal: T,
    _info: unknown,
    context: ExecutionContext,
  ): T {
    if (error) throw error;
    if (!principal) {
      const sent = Boolean(
        context.switchToHttp().getRequest<{ headers: Headers }>().headers.authorization,
      );
      throw new AppError(sent ? 'INVALID_TOKEN' : 'UNAUTHENTICATED');
    }
    return principal;
  }
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
