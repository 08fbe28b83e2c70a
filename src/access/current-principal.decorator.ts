import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { AppError } from '../common/errors/app-error.js';
import type { Principal } from './principal.js';

/** The authenticated principal; throws rather than hand a handler `undefined`. */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): Principal => {
    const principal = ctx.switchToHttp().getRequest<{ user?: Principal }>().user;
    if (!principal) throw new AppError('UNAUTHENTICATED');
    return principal;
  },
);
