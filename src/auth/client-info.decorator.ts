import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { ClientInfo } from './auth.service.js';

/** User agent and address of the caller, recorded on the session it opens. */
export const Client = createParamDecorator((_data: unknown, ctx: ExecutionContext): ClientInfo => {
  const request = ctx
    .switchToHttp()
    .getRequest<{ ip?: string; headers: Record<string, unknown> }>();
  const userAgent = request.headers['user-agent'];
  return { userAgent: typeof userAgent === 'string' ? userAgent : undefined, ip: request.ip };
});
