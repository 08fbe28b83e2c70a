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
/** Where a per-request attempt keeps how to settle its promise. */
const RESOLVE = Symbol('gatehouse.resolve');
const REJECT = Symbol('gatehouse.reject');

interface Attempt {
  [RESOLVE](principal: unknown): void;
  [REJECT](error: Error): void;
}

/**
 * The five actions, once for all strategies: a per-request attempt inherits them and carries only its
 * promise's two functions (no five closures a request).
 */
const ACTIONS = {
  success(this: Attempt, principal: unknown) {
    this[RESOLVE](principal || false);
  },
  fail(this: Attempt) {
    this[RESOLVE](false);
  },
  pass(this: Attempt) {
    this[RESOLVE](false);
  },
  error(this: Attempt, error: Error) {
    this[REJECT](error);
  },
  redirect(this: Attempt) {
    this[REJECT](new Error('an API strategy must not redirect'));
  },
};

/** Per strategy: the strategy, with the actions on top. */
const attemptPrototypes = new WeakMap<Strategy, Strategy>();

function attemptPrototypeOf(strategy: Strategy): Strategy {
  let prototype = attemptPrototypes.get(strategy);
  if (!prototype) {
    prototype = Object.assign(Object.create(strategy) as Strategy, ACTIONS);
    attemptPrototypes.set(strategy, prototype);
  }
  return prototype;
}

export function runStrategy<T>(strategy: Strategy, request: object): Promise<T | false> {
  const prototype = attemptPrototypeOf(strategy);
  return new Promise<T | false>((resolve, reject) => {
    const attempt = Object.create(prototype) as Strategy & Attempt;
    attempt[RESOLVE] = resolve as Attempt[typeof RESOLVE];
    attempt[REJECT] = reject;
    try {
      attempt.authenticate(request as never, {});
    } catch (error) {
      reject(error as Error);
    }
  });
}
