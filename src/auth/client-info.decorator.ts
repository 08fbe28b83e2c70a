import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { type ClientRequestLike, clientOf } from '../common/http/client-info.js';
import type { ClientInfo } from './auth.service.js';

/** User agent, address and known-device cookie of the caller, recorded on the session it opens. */
export const Client = createParamDecorator((_data: unknown, ctx: ExecutionContext): ClientInfo =>
  clientOf(ctx.switchToHttp().getRequest<ClientRequestLike>()),
);
