import { type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { IS_PUBLIC_KEY } from '../common/decorators/public.decorator.js';
import { AppError } from '../common/errors/app-error.js';
import { OAuth2Error } from '../common/errors/oauth2-error.js';

/**
 * The global guard: every route needs a valid access token unless it says `@Public()`. Metadata is
 * read handler first, then class. No principal means no access.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic === true) return true;
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
        context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>().headers
          .authorization,
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
