import { Header } from '@nestjs/common';
import { NO_STORE_HEADERS } from '../errors/error-response.js';

/**
 * For responses that carry tokens, secrets or personal data: never cached. Static headers through
 * @Header rather than an interceptor: a route without interceptors skips Nest's rxjs pipeline, which
 * the profile showed at about 7% of an authenticated GET. On a class it marks every handler.
 */
export function NoStore(): ClassDecorator & MethodDecorator {
  return (target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => {
    const mark = (handler: PropertyDescriptor) => {
      for (const [name, value] of Object.entries(NO_STORE_HEADERS)) {
        // In lower case, as Fastify keeps header names: one it need not lower-case costs no new
        // string a response.
        Header(name.toLowerCase(), value)(target, key ?? '', handler);
      }
    };
    if (descriptor) {
      mark(descriptor);
      return;
    }
    const prototype = (target as { prototype: object }).prototype;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const handler = Object.getOwnPropertyDescriptor(prototype, name);
      if (name !== 'constructor' && typeof handler?.value === 'function') mark(handler);
    }
  };
}
