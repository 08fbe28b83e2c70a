import { PassportStrategy } from '@nestjs/passport';
import { createSigner } from 'fast-jwt';
import { HeaderAPIKeyStrategy } from 'passport-headerapikey';
import { ExtractJwt, Strategy as JwtStrategy } from 'passport-jwt';
import { Strategy } from 'passport-strategy';
import { runStrategy, validateAtOnce } from './run-strategy.js';

/** A bare passport strategy whose `authenticate` does what the test says. */
function strategyDoing(act: (attempt: Strategy) => void): Strategy {
  const strategy = new Strategy();
  strategy.authenticate = function (this: Strategy) {
    act(this);
  };
  return strategy;
}

const request = { headers: {} };

describe('runStrategy', () => {
  it('returns what a strategy settled on before authenticate returned, with no promise', () => {
    const principal = { id: 'p' };
    expect(
      runStrategy(
        strategyDoing((s) => s.success(principal)),
        request,
      ),
    ).toBe(principal);
    expect(
      runStrategy(
        strategyDoing((s) => s.fail(401)),
        request,
      ),
    ).toBe(false);
    expect(
      runStrategy(
        strategyDoing((s) => s.pass()),
        request,
      ),
    ).toBe(false);
  });

  it('throws what a strategy reports at once, or throws itself, and refuses a redirect', () => {
    const failure = new Error('broken');
    expect(() =>
      runStrategy(
        strategyDoing((s) => s.error(failure)),
        request,
      ),
    ).toThrow(failure);
    expect(() =>
      runStrategy(
        strategyDoing(() => {
          throw failure;
        }),
        request,
      ),
    ).toThrow(failure);
    expect(() =>
      runStrategy(
        strategyDoing((s) => s.redirect('/elsewhere')),
        request,
      ),
    ).toThrow('an API strategy must not redirect');
  });

  it('gives a promise when the strategy settles later', async () => {
    const principal = { id: 'later' };
    const later = runStrategy(
      strategyDoing((s) => setImmediate(() => s.success(principal))),
      request,
    );
    expect(later).toBeInstanceOf(Promise);
    await expect(later).resolves.toBe(principal);
    const failure = new Error('later');
    await expect(
      runStrategy(
        strategyDoing((s) => setImmediate(() => s.error(failure))),
        request,
      ),
    ).rejects.toBe(failure);
  });

  it('keeps the first action and ignores later ones', async () => {
    const first = { id: 'first' };
    expect(
      runStrategy(
        strategyDoing((s) => {
          s.success(first);
          s.error(new Error('second'));
        }),
        request,
      ),
    ).toBe(first);
    await expect(
      runStrategy(
        strategyDoing((s) =>
          setImmediate(() => {
            s.fail(401);
            s.success({ id: 'second' });
          }),
        ),
        request,
      ),
    ).resolves.toBe(false);
  });

  it('never answers a request from an outcome left on a shared object', () => {
    let first = true;
    const strategy = strategyDoing((s) => {
      if (!first) return; // the second request settles later (never, here)
      first = false;
      // A strategy acting on the attempts' shared prototype instead of its own attempt.
      (Object.getPrototypeOf(s) as Strategy).success({ id: 'someone else' });
      s.fail(401);
    });
    expect(runStrategy(strategy, request)).toBe(false);
    expect(runStrategy(strategy, request)).toBeInstanceOf(Promise);
  });

  it('keeps each request apart: an attempt is a copy, the strategy is untouched', () => {
    const strategy = strategyDoing((s) => s.success({ id: 'p' }));
    runStrategy(strategy, request);
    expect(Object.getOwnPropertySymbols(strategy)).toEqual([]);
    expect(runStrategy(strategy, request)).toEqual({ id: 'p' });
  });
});

describe('validateAtOnce, on passport-headerapikey through the @nestjs/passport mixin', () => {
  /** The way ApiKeyStrategy is built, with the test's own validate. */
  function keyStrategy(validate: (key: string) => unknown, atOnce = true) {
    class KeyStrategy extends PassportStrategy(HeaderAPIKeyStrategy, `test-key-${Math.random()}`) {
      constructor() {
        super({ header: 'x-api-key', prefix: '' }, false);
        if (atOnce) validateAtOnce(this, 'verify');
      }
      validate(key: string) {
        return validate(key);
      }
    }
    return new KeyStrategy();
  }
  const withKey = (key: string) => ({ headers: { 'x-api-key': key } });

  it("answers at once when validate returns a value (the mixin's own callback cannot)", () => {
    const principal = { via: 'api_key' };
    expect(
      runStrategy(
        keyStrategy(() => principal),
        withKey('k'),
      ),
    ).toBe(principal);
    expect(
      runStrategy(
        keyStrategy(() => false),
        withKey('k'),
      ),
    ).toBe(false);
    expect(
      runStrategy(
        keyStrategy(() => principal, false),
        withKey('k'),
      ),
    ).toBeInstanceOf(Promise);
  });

  it('hands validate the key, and waits for a promise', async () => {
    const seen: string[] = [];
    const strategy = keyStrategy(async (key) => {
      seen.push(key);
      return key === 'right' ? { via: 'api_key' } : false;
    });
    await expect(runStrategy(strategy, withKey('right'))).resolves.toEqual({ via: 'api_key' });
    await expect(runStrategy(strategy, withKey('wrong'))).resolves.toBe(false);
    expect(seen).toEqual(['right', 'wrong']);
  });

  it('turns a throw or a rejection of validate into the strategy error', async () => {
    const failure = new Error('database down');
    expect(() =>
      runStrategy(
        keyStrategy(() => {
          throw failure;
        }),
        withKey('k'),
      ),
    ).toThrow(failure);
    await expect(
      runStrategy(
        keyStrategy(() => Promise.reject(failure)),
        withKey('k'),
      ),
    ).rejects.toBe(failure);
  });

  it('passes an array on as passport arguments, as the mixin does', () => {
    const principal = { via: 'api_key' };
    expect(
      runStrategy(
        keyStrategy(() => [principal, { info: true }]),
        withKey('k'),
      ),
    ).toBe(principal);
  });

  it('refuses to start when the strategy keeps no callback where it is told', () => {
    expect(() =>
      validateAtOnce(
        keyStrategy(() => false, false),
        '_verify',
      ),
    ).toThrow('no verify callback at "_verify"');
  });
});

describe('validateAtOnce, on passport-jwt through the @nestjs/passport mixin', () => {
  const secret = 'a-test-secret-of-at-least-32-bytes-long';
  const token = createSigner({ key: secret, algorithm: 'HS256' })({ sub: 'someone' });
  const bearer = (value: string) => ({ headers: { authorization: `Bearer ${value}` } });

  function jwtStrategy(validate: (claims: { sub: string }) => unknown) {
    class TestJwtStrategy extends PassportStrategy(JwtStrategy, `test-jwt-${Math.random()}`) {
      constructor() {
        super({
          jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
          secretOrKey: secret,
          algorithms: ['HS256'],
        });
        validateAtOnce(this, '_verify');
      }
      validate(claims: { sub: string }) {
        return validate(claims);
      }
    }
    return new TestJwtStrategy();
  }

  it('answers at once for a verified token and a value; a bad token is refused', () => {
    const strategy = jwtStrategy((claims) => ({ id: claims.sub }));
    expect(runStrategy(strategy, bearer(token))).toEqual({ id: 'someone' });
    expect(runStrategy(strategy, bearer(`${token}x`))).toBe(false);
    expect(runStrategy(strategy, { headers: {} })).toBe(false);
  });

  it('waits for a promise, or any thenable, from validate', async () => {
    const later = runStrategy(
      jwtStrategy(async (claims) => ({ id: claims.sub })),
      bearer(token),
    );
    expect(later).toBeInstanceOf(Promise);
    await expect(later).resolves.toEqual({ id: 'someone' });
    const thenable = {
      then(resolve: (value: unknown) => void) {
        setImmediate(() => resolve({ id: 'from a thenable' }));
      },
    };
    await expect(
      runStrategy(
        jwtStrategy(() => thenable),
        bearer(token),
      ),
    ).resolves.toEqual({
      id: 'from a thenable',
    });
  });
});

describe('validateAtOnce, its callback', () => {
  /** A strategy-shaped object whose callback sits at `verify`, replaced by validateAtOnce. */
  function callbackFor(validate: () => unknown) {
    const strategy = { verify: () => undefined, validate };
    validateAtOnce(strategy, 'verify');
    return strategy.verify as unknown as (...params: unknown[]) => void;
  }

  it('hands a throw of done itself back to done, as the mixin does, at once or later', async () => {
    const calls: unknown[][] = [];
    const failure = new Error('done threw');
    const done = (...args: unknown[]) => {
      calls.push(args);
      if (calls.length === 1) throw failure;
    };
    callbackFor(() => 'principal')('claims', done);
    expect(calls).toEqual([
      [null, 'principal'],
      [failure, null],
    ]);
    calls.length = 0;
    callbackFor(() => Promise.resolve('later'))('claims', done);
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toEqual([
      [null, 'later'],
      [failure, null],
    ]);
  });
});
