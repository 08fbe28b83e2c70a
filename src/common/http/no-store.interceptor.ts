import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
  UseInterceptors,
  applyDecorators,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Observable } from 'rxjs';
import { NO_STORE_HEADERS } from '../errors/error-response.js';

@Injectable()
export class NoStoreInterceptor implements NestInterceptor {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const reply = context.switchToHttp().getResponse<unknown>();
    for (const [name, value] of Object.entries(NO_STORE_HEADERS)) {
      this.adapterHost.httpAdapter.setHeader(reply, name, value);
    }
    return next.handle();
  }
}

/** For responses that carry tokens, secrets or personal data: never cached. */
export const NoStore = () => applyDecorators(UseInterceptors(NoStoreInterceptor));
