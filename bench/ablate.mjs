// Bench-only layer switches ("ablation"): each layer of an authenticated GET can be switched off in the
// benchmark process, so the difference to the full app is what that layer costs. Nothing here is a
// setting of the application: BENCH_ABLATE is read by bench/target.mjs only, and the switches work by
// answering imports of the app's compiled modules with stubs (bench/stubs/, through module hooks) or
// by patching provider prototypes of a built app. Production never loads this file.
import { createRequire, register } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ModulesContainer } from '@nestjs/core';

const STUBS = new URL('./stubs/', import.meta.url);

/** Layer name, what it covers (for the table), and how it is switched off. */
export const LAYERS = {
  passport: {
    what: "passport (runStrategy, the strategy's authenticate and mixin)",
    patch: bypassPassport,
  },
  jwt: { what: 'JWT verification (signature + claims)', patch: memoiseJwtVerifier },
  cache: { what: 'revocation + user cache lookups', patch: constantAuthority },
  throttler: {
    what: 'throttler guard (3 buckets)',
    // The global guard: RequestThrottleGuard since round 13, AppThrottlerGuard before.
    patch: (app) =>
      allow(
        app,
        findInstance(app, 'RequestThrottleGuard') ? 'RequestThrottleGuard' : 'AppThrottlerGuard',
      ),
  },
  authz: { what: 'authorization guard', patch: (app) => allow(app, 'AuthorizationGuard') },
  helmet: {
    what: 'security headers',
    modules: { 'http/security-headers.js': 'security-headers.mjs' },
  },
  'cors-host': {
    what: 'Host, HTTPS, CORS, method, media-type checks',
    modules: { 'http/request-policy.js': 'request-policy.mjs' },
  },
  'request-id': {
    what: 'request id + X-Request-Id + X-Process-Time',
    modules: { 'http/request-id.js': 'request-id.mjs', 'http/process-time.js': 'process-time.mjs' },
  },
  log: { what: 'JSON request log line', modules: { 'http/request-log.js': 'request-log.mjs' } },
  'log-write': {
    what: 'writing log lines to stdout (each line still built)',
    partOf: 'log',
    modules: { 'http/logging.js': 'log-write.mjs' },
  },
  metrics: {
    what: 'request-duration histogram',
    modules: { 'metrics/http-metrics.js': 'http-metrics.mjs' },
  },
  mapping: {
    what: 'response mapping (user -> JSON shape)',
    modules: { 'users/dto/user.response.js': 'user-response.mjs' },
  },
};

export function checkLayers(layers) {
  for (const layer of layers) {
    if (!LAYERS[layer]) {
      throw new Error(`unknown layer "${layer}" (known: ${Object.keys(LAYERS).join(', ')})`);
    }
  }
}

/** Before the app is imported: module stubs for the layers that are switched off that way. */
export function registerAblationStubs(appDir, layers) {
  checkLayers(layers);
  const redirects = {};
  for (const layer of layers) {
    for (const [module, stub] of Object.entries(LAYERS[layer].modules ?? {})) {
      redirects[pathToFileURL(join(appDir, 'dist/src', module)).href] = new URL(stub, STUBS).href;
    }
  }
  register('./ablate-hooks.mjs', import.meta.url, { data: { redirects } });
}

/** After the app is built, before it listens: provider patches for the other layers. */
export async function ablate(app, appDir, layers) {
  for (const layer of layers) await LAYERS[layer].patch?.(app, appDir);
}

/** The provider instance whose class has this name (global guards included), if any. */
function findInstance(app, className) {
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of [...module.providers.values(), ...module.injectables.values()]) {
      if (wrapper.instance?.constructor?.name === className) return wrapper.instance;
    }
  }
  return undefined;
}

function instanceNamed(app, className) {
  const instance = findInstance(app, className);
  if (!instance) throw new Error(`ablation: no provider of class ${className}`);
  return instance;
}

function allow(app, className) {
  instanceNamed(app, className).canActivate = () => true;
}

function passportJwt(appDir) {
  return createRequire(join(appDir, 'package.json'))('passport-jwt');
}

/** JWT verification costs nothing: each token is verified once, then answered from a map. */
function memoiseJwtVerifier(_app, appDir) {
  const { Strategy } = passportJwt(appDir);
  const verify = Strategy.JwtVerifier;
  const verified = new Map();
  Strategy.JwtVerifier = (token, key, options, callback) => {
    const claims = verified.get(token);
    if (claims) return callback(null, claims);
    return verify(token, key, options, (error, payload) => {
      if (!error) verified.set(token, payload);
      callback(error, payload);
    });
  };
}

/**
 * The bearer path without passport: the strategy's own extractor, key, verifier and validate(), called
 * directly from the guard (API keys still go through passport).
 */
function bypassPassport(app, appDir) {
  const { Strategy } = passportJwt(appDir);
  const strategy = instanceNamed(app, 'JwtStrategy');
  const guard = instanceNamed(app, 'JwtAuthGuard');
  const original = guard.canActivate.bind(guard);
  guard.canActivate = (context) => {
    const request = context.switchToHttp().getRequest();
    // Set-up requests (public routes, API keys) keep the real path; the measured GET has a bearer token.
    if (request.headers.authorization === undefined || request.headers['x-api-key'] !== undefined) {
      return original(context);
    }
    // Synchronous, as the real path is for a token and user answered from memory.
    const token = strategy._jwtFromRequest(request);
    let claims;
    strategy._secretOrKeyProvider(request, token, (keyError, key) => {
      if (!keyError) {
        Strategy.JwtVerifier(token, key, strategy._verifOpts, (error, payload) => {
          claims = error ? null : payload;
        });
      }
    });
    if (claims === undefined) return original(context);
    const principal = claims && strategy.validate(claims);
    if (!principal || principal instanceof Promise) return original(context);
    request.user = principal;
    return true;
  };
}

/** Revocation and user lookups answer from a plain map filled on first use (no freshness checks). */
function constantAuthority(app) {
  const revoked = instanceNamed(app, 'RevokedSessions');
  revoked.isRevoked = async () => false;
  revoked.revokedInMemory = () => false;
  const users = instanceNamed(app, 'UsersService');
  const findForRequest = users.findForRequest.bind(users);
  const known = new Map();
  users.findForRequest = async (id) => {
    let user = known.get(id);
    if (!user) known.set(id, (user = await findForRequest(id)));
    return user;
  };
  // The synchronous answer the strategies try first (undefined sends them to findForRequest above).
  users.findForRequestInMemory = (id) => known.get(id);
}
