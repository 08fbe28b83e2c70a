import type { Strategy } from 'passport-strategy';

/** What `runStrategy` gives: the principal, `false`, or a promise of either. */
export type StrategyResult<T> = T | false | Promise<T | false>;

type Outcome = { principal: unknown } | { error: Error };

/** Where a per-request attempt keeps its outcome, and who waits for it. */
const OUTCOME = Symbol('gatehouse.outcome');
const WAITER = Symbol('gatehouse.waiter');

interface Attempt {
  [OUTCOME]?: Outcome;
  [WAITER]?: (outcome: Outcome) => void;
}

/** The first action counts; any later one is ignored. */
function settle(attempt: Attempt, outcome: Outcome): void {
  if (attempt[OUTCOME]) return;
  attempt[OUTCOME] = outcome;
  attempt[WAITER]?.(outcome);
}

/**
 * The five actions, once for all strategies: a per-request attempt inherits them and carries only its
 * outcome (no five closures a request).
 */
const ACTIONS = {
  success(this: Attempt, principal: unknown) {
    settle(this, { principal: principal || false });
  },
  fail(this: Attempt) {
    settle(this, { principal: false });
  },
  pass(this: Attempt) {
    settle(this, { principal: false });
  },
  error(this: Attempt, error: Error) {
    settle(this, { error });
  },
  redirect(this: Attempt) {
    settle(this, { error: new Error('an API strategy must not redirect') });
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

function answer<T>(outcome: Outcome): T | false {
  if ('error' in outcome) throw outcome.error;
  return outcome.principal as T | false;
}

/**
 * Runs a passport strategy on one request the way passport's own middleware does: a per-request copy
 * of the strategy that gets the five actions of passport-strategy's contract (success, fail, error,
 * pass, redirect), then `authenticate(req)`. Gives the strategy's principal, or `false` when it failed
 * or passed, and throws its error. When the strategy settled before `authenticate` returned (a
 * principal answered from memory, see `validateAtOnce`) that is the return value itself; otherwise a
 * promise of it.
 *
 * Why not @nestjs/passport's AuthGuard on the request path: per request it builds a new
 * `passport.authenticate` middleware, options objects and a promise chain around this same call, and
 * under load that cost about 33 µs of garbage collection per request (a third of a request's CPU, see
 * docs/performance.md). The strategies themselves (passport-jwt, passport-headerapikey, with
 * @nestjs/passport's PassportStrategy mixin) keep their `authenticate` and `validate`; only the
 * mixin's verify callback is replaced (`validateAtOnce`).
 */
export function runStrategy<T>(strategy: Strategy, request: object): StrategyResult<T> {
  const attempt = Object.create(attemptPrototypeOf(strategy)) as Strategy & Attempt;
  // Own properties from the start: an outcome is never read through the prototype chain, so one
  // set on a shared object (a strategy calling an action on itself) cannot answer other requests.
  attempt[OUTCOME] = undefined;
  attempt[WAITER] = undefined;
  try {
    attempt.authenticate(request as never, {});
  } catch (error) {
    settle(attempt, { error: error as Error });
  }
  const outcome = attempt[OUTCOME];
  if (outcome) return answer<T>(outcome);
  return new Promise<Outcome>((resolve) => {
    attempt[WAITER] = resolve;
  }).then((later) => answer<T>(later));
}

type Done = (error: unknown, ...principal: unknown[]) => void;

interface ValidatingStrategy {
  validate(...params: unknown[]): unknown;
}

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  typeof (value as { then?: unknown } | null)?.then === 'function';

/**
 * @nestjs/passport's mixin hands the passport strategy a verify callback that awaits `validate()`, so
 * a principal known at once still reaches passport a microtask later, and a request could not be
 * authenticated without a promise chain. This puts a callback in its place that calls passport's
 * `done` at once when `validate()` returns a value, and once the promise settles when it returns one:
 * the mixin's calls otherwise (an array is spread into `done`; a throw or a rejection is
 * `done(error, null)`).
 *
 * `field` is where the passport strategy keeps its verify callback (passport-jwt: `_verify`,
 * passport-headerapikey: `verify`). Start-up fails if no function is there (a renamed field); were
 * the library to stop calling it from there, the mixin's callback would still validate, a
 * microtask later.
 */
export function validateAtOnce(strategy: ValidatingStrategy, field: string): void {
  const holder = strategy as unknown as Record<string, unknown>;
  if (typeof holder[field] !== 'function') {
    throw new Error(`${strategy.constructor.name}: no verify callback at "${field}"`);
  }
  const settleWith = (done: Done, result: unknown) => {
    if (Array.isArray(result)) done(null, ...(result as unknown[]));
    else done(null, result);
  };
  holder[field] = (...params: unknown[]) => {
    const done = params[params.length - 1] as Done;
    // As the mixin: a throw from `done` itself is handed back to `done` as the error.
    const finish = (result: unknown) => {
      try {
        settleWith(done, result);
      } catch (error) {
        done(error, null);
      }
    };
    let result: unknown;
    try {
      result = strategy.validate(...params);
    } catch (error) {
      done(error, null);
      return;
    }
    if (isThenable(result)) {
      Promise.resolve(result).then(finish, (error: unknown) => done(error, null));
      return;
    }
    finish(result);
  };
}
