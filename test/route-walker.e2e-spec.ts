import pg from 'pg';
import { RECENT_AUTHENTICATION_SECONDS } from '../src/access/recent-authentication.js';
import { routePolicies, type RoutePolicy } from '../src/access/route-policies.js';
import { startTestApp, type TestApp } from './app.js';
import { login, passwordGrant, registerUser, setRoles, type TestUser } from './factories.js';
import { decodeJwt, signJwt } from './jwt.js';

/**
 * The account-security operations (issue 12, finding 4): each must carry `@RequireRecentAuth()`.
 * `POST /users/me/email` is checked as soon as it is routed.
 */
const ACCOUNT_SECURITY = [
  'POST /auth/2fa/setup',
  'GET /auth/2fa/qr.png',
  'POST /auth/2fa/enable',
  'POST /auth/2fa/disable',
  'POST /api-keys',
  'POST /auth/password/change',
  'POST /users/me/email',
  'DELETE /auth/sessions',
];
/** Routes whose path looks like account security but that are not, and why. */
const NOT_ACCOUNT_SECURITY: Record<string, string> = {
  'POST /auth/email/verify/resend': 'sends the verification mail again to the current address',
};
const LOOKS_LIKE_ACCOUNT_SECURITY = /(password|2fa|email|api-keys$|sessions$)/;

const name = (route: Pick<RoutePolicy, 'method' | 'path'>) => `${route.method} ${route.path}`;

describe('route walker: every route of the real app, read from Nest metadata', () => {
  let t: TestApp;
  let db: pg.Client;
  let routes: RoutePolicy[];
  let admin: TestUser;
  const routed: string[] = [];

  beforeAll(async () => {
    t = await startTestApp({
      adapter: 'fastify', // the router's own list comes from Fastify's onRoute hook
      beforeListen: (app) => {
        const fastify = app.getHttpAdapter().getInstance();
        fastify.addHook('onRoute', (route: { method: string | string[]; url: string }) => {
          for (const method of [route.method].flat()) routed.push(`${method} ${route.url}`);
        });
      },
    });
    db = new pg.Client({ connectionString: t.database.url });
    await db.connect();
    routes = routePolicies(t.app);
    admin = await registerUser(t.api);
    await setRoles(db, admin, ['admin']);
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  it('finds every route the router serves', () => {
    // HEAD twins and Swagger UI's own static routes aside, every route the router holds.
    const served = routed.filter(
      (route) => !/^(HEAD|OPTIONS) /.test(route) && !/^GET \/docs/.test(route),
    );
    expect(routes.map(name).sort()).toEqual([...new Set(served)].sort());
    expect(routes.length).toBeGreaterThan(30);
  });

  it('no route with a role lacks a scope: a role check never widens what a narrowed credential may do', () => {
    const roleOnly = routes
      .filter((route) => route.policy.minimumRole !== undefined && route.policy.scopes.length === 0)
      .map(name);
    expect(roleOnly).toEqual([]);
  });

  it('every account-security route demands recent authentication, and no API key reaches one', () => {
    const routed = new Set(routes.map(name));
    const marked = routes.filter((route) => route.policy.requiresRecentAuth).map(name);
    expect(marked.sort()).toEqual(ACCOUNT_SECURITY.filter((route) => routed.has(route)).sort());
    // A new route that looks like account security must be listed above, or exempted with a reason.
    const lookalikes = routes
      .filter(
        (route) =>
          route.method !== 'GET' &&
          !route.policy.isPublic &&
          !route.path.startsWith('/admin/') &&
          LOOKS_LIKE_ACCOUNT_SECURITY.test(route.path),
      )
      .map(name)
      .filter((route) => !(route in NOT_ACCOUNT_SECURITY) && !ACCOUNT_SECURITY.includes(route));
    expect(lookalikes).toEqual([]);
    expect(routes.filter((r) => r.policy.requiresRecentAuth && r.policy.acceptsApiKey)).toEqual([]);
  });

  describe('over HTTP, on each account-security route', () => {
    const call = (route: RoutePolicy, token: string) =>
      t.api.request(route.method, route.path, {
        token,
        ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { json: {} }),
      });
    const marked = () => routes.filter((route) => route.policy.requiresRecentAuth);

    it('a token narrowed by scope is refused with 403 insufficient_scope, even fresh', async () => {
      const narrowed = (await passwordGrant(t.api, admin, 'read:items')).body.access_token;
      for (const route of marked()) {
        const response = await call(route, narrowed);
        expect({ route: name(route), status: response.status, code: response.body.code }).toEqual({
          route: name(route),
          status: 403,
          code: 'INSUFFICIENT_SCOPE',
        });
      }
    });

    it('a full token whose login is older than the window is refused with 401 and an RFC 9470 challenge', async () => {
      const fresh = (await login(t.api, admin)).access_token;
      const claims = decodeJwt(fresh);
      expect(typeof claims.auth_time).toBe('number');
      const stale = signJwt(
        { ...claims, auth_time: claims.auth_time - RECENT_AUTHENTICATION_SECONDS - 1 },
        process.env.SECRET_KEY!,
      );
      expect((await t.api.get('/users/me', { token: stale })).status).toBe(200);
      for (const route of marked()) {
        const response = await call(route, stale);
        expect({ route: name(route), status: response.status, code: response.body.code }).toEqual({
          route: name(route),
          status: 401,
          code: 'RECENT_AUTHENTICATION_REQUIRED',
        });
        expect(response.headers.get('www-authenticate')).toBe(
          `Bearer realm="gatehouse", error="insufficient_user_authentication", error_description="A recent login is required", max_age=${RECENT_AUTHENTICATION_SECONDS}`,
        );
      }
    });

    it('a refresh keeps the login time; a fresh full token passes the check', async () => {
      const tokens = await login(t.api, admin);
      const refreshed = await t.api.post('/auth/refresh', {
        json: { refresh_token: tokens.refresh_token },
      });
      expect(refreshed.status).toBe(200);
      expect(decodeJwt(refreshed.body.access_token).auth_time).toBe(
        decodeJwt(tokens.access_token).auth_time,
      );
      for (const route of marked()) {
        const response = await call(route, refreshed.body.access_token);
        expect({ route: name(route), denied: [401, 403].includes(response.status) }).toEqual({
          route: name(route),
          denied: false,
        });
      }
    });

    it('an API key is refused, even one with every permission', async () => {
      const token = (await login(t.api, admin)).access_token;
      const me = (await t.api.get('/users/me', { token })).body;
      const created = await t.api.post('/api-keys', {
        token,
        json: { name: 'walker', scopes: me.permissions },
      });
      expect(created.status).toBe(201);
      for (const route of marked()) {
        const response = await t.api.request(route.method, route.path, {
          headers: { 'x-api-key': created.body.key },
          ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { json: {} }),
        });
        expect({ route: name(route), status: response.status }).toEqual({
          route: name(route),
          status: 401,
        });
      }
    });
  });

  describe('role-guarded routes honour the credential’s scopes (finding 2)', () => {
    it('an admin token narrowed to read:items gets 403 on GET /api/users and /api/admin', async () => {
      const narrowed = (await passwordGrant(t.api, admin, 'read:items')).body.access_token;
      for (const path of ['/api/users', '/api/admin']) {
        const response = await t.api.get(path, { token: narrowed });
        expect({ path, status: response.status, code: response.body.code }).toEqual({
          path,
          status: 403,
          code: 'INSUFFICIENT_SCOPE',
        });
      }
      const full = (await login(t.api, admin)).access_token;
      expect((await t.api.get('/api/users', { token: full })).status).toBe(200);
    });

    it('an admin’s API key without scopes gets 403 on GET /api/users', async () => {
      const token = (await login(t.api, admin)).access_token;
      const created = await t.api.post('/api-keys', { token, json: { name: 'empty', scopes: [] } });
      expect(created.status).toBe(201);
      const response = await t.api.get('/api/users', {
        headers: { 'x-api-key': created.body.key },
      });
      expect(response.status).toBe(403);
      expect(response.body.code).toBe('INSUFFICIENT_SCOPE');
      expect(JSON.stringify(response.body)).not.toContain(admin.email);
    });
  });
});
