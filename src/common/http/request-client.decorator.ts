import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { type ClientRequestLike, clientOf, type RequestClient } from './client-info.js';

/**
 * User agent, address and known-device cookie of the caller: recorded on the session it opens and on
 * every security event the request causes (services are handed it; nothing finds it implicitly).
 */
export const Client = createParamDecorator((_data: unknown, ctx: ExecutionContext): RequestClient =>
  clientOf(ctx.switchToHttp().getRequest<ClientRequestLike>()),
);
