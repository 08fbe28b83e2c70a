import type { Strategy } from 'passport-strategy';

/**
 * Runs a passport strategy on one request the way passport's own middleware does: a per-request copy
 * of the strategy that gets the five actions of passport-strategy's contract (success, fail, error,
 * pass, redirect), then `authenticate(req)`. Settles with the strategy's principal, or `false` when it
 * failed or passed; rejects with its error.
 *
 * Why not @nestjs/passport's AuthGuard on the request path: per request it builds a new
 * `passport.authenticate` middleware, options objects and a promise chain around this same call, and
 * under load that cost about 33 µs of garbage collection per request (a third of a request's CPU, see
 * docs/performance.md). The strategies themselves (passport-jwt, passport-headerapikey, with
 * @nestjs/passport's PassportStrategy mixin) are unchanged.
 */
export function runStrategy<T>(strategy: Strategy, request: object): Promise<T | false> {
  return new Promise<T | false>((resolve, reject) => {
    const attempt = Object.create(strategy) as Strategy;
    attempt.success = (principal: T) => resolve(principal || false);
    attempt.fail = () => resolve(false);
    attempt.pass = () => resolve(false);
    attempt.error = (error: Error) => reject(error);
    attempt.redirect = () => reject(new Error('an API strategy must not redirect'));
    try {
      attempt.authenticate(request as never, {});
    } catch (error) {
      reject(error as Error);
    }
  });
}
