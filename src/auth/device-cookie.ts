import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
  UseInterceptors,
} from '@nestjs/common';
import { type Observable, tap } from 'rxjs';
import { CLIENT_INFO, type ClientRequestLike, DEVICE_COOKIE } from '../common/http/client-info.js';

const MAX_AGE_SECONDS = 180 * 24 * 3600;

/**
 * Hands the client its known-device cookie after a complete login that issued one (OWASP's "device
 * cookie" against lockout abuse: the client's later failures count apart from strangers'). A random
 * 256-bit value; only its hash is stored. `Path=/auth`, `HttpOnly`, `SameSite=Strict`, and `Secure`
 * over https.
 */
@Injectable()
class DeviceCookieInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      tap(() => {
        const http = context.switchToHttp();
        const request = http.getRequest<ClientRequestLike & { protocol?: string }>();
        const issued = request[CLIENT_INFO]?.issuedDevice;
        if (!issued) return;
        const secure = request.protocol === 'https' ? '; Secure' : '';
        http
          .getResponse<{ header(name: string, value: string): unknown }>()
          .header(
            'set-cookie',
            `${DEVICE_COOKIE}=${issued}; Max-Age=${MAX_AGE_SECONDS}; Path=/auth; HttpOnly; SameSite=Strict${secure}`,
          );
      }),
    );
  }
}

/** On the routes that complete a login. */
export const SetsDeviceCookie = () => UseInterceptors(DeviceCookieInterceptor);
