import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { ROLES, effectivePermissions, roleRank, type Role } from '../src/access/roles.js';
import { startTestApp, type TestApp } from './app.js';
import { login, passwordGrant, registerUser, setRoles, type TestUser } from './factories.js';

interface Route {
  method: string;
  url: string;
}

interface Policy {
  isPublic: boolean;
  scopes: string[];
  role?: Role;
  /** The operation lists the apiKey scheme: an X-API-Key is accepted instead of a bearer token. */
  acceptsApiKey: boolean;
  /** The operation lists only the client_basic scheme: an OAuth client authenticates, not a user. */
  clientOnly: boolean;
  /** An account-security operation: a narrowed token never passes it (see route-walker spec). */
  recentAuth: boolean;
}

/** Router paths (`/admin/users/:id`) in OpenAPI form (`/admin/users/{id}`). */
const toOpenApiPath = (url: string) => url.replace(/:([A-Za-z_]+)/g, '{$1}');

describe('authorization', () => {
  let t: TestApp;
  let db: pg.Client;
  const routes: Route[] = [];
  const users = {} as Record<Role, TestUser>;

  beforeAll(async () => {
    t = await startTestApp({
      adapter: 'fastify', // the route collection below listens to Fastify's router
      beforeListen: (app) => {
        const fastify = app.getHttpAdapter().getInstance();
        fastify.addHook('onRoute', (route: { method: string | string[]; url: string }) => {
          for (const method of [route.method].flat()) routes.push({ method, url: route.url });
        });
      },
    });
    db = new pg.Client({ connectionString: t.database.url });
    await db.connect();
    for (const role of ROLES) {
      users[role] = await registerUser(t.api);
      await setRoles(db, users[role], [role]);
    }
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  describe('every route of the app, walked with principals of each role and scope set', () => {
    let policies: Map<string, Policy>;

    beforeAll(async () => {
      const doc = (await t.api.get('/docs-json')).body;
      policies = new Map();
      for (const [path, operations] of Object.entries<Record<string, any>>(doc.paths)) {
        for (const [method, operation] of Object.entries(operations)) {
          const security: Array<Record<string, string[]>> | undefined = operation.security;
          policies.set(`${method.toUpperCase()} ${path}`, {
            isPublic: security === undefined,
            // Authenticated by an OAuth client (HTTP Basic), never by a user's credentials.
            clientOnly: security?.every((s) => 'client_basic' in s) ?? false,
            scopes: security?.find((s) => 'oauth2' in s)?.oauth2 ?? [],
            role: operation['x-required-role'],
            acceptsApiKey: security?.some((s) => 'apiKey' in s) ?? false,
            recentAuth: operation['x-requires-recent-authentication'] === true,
          });
        }
      }
    });

    function appRoutes(): Route[] {
      // HEAD twins, Swagger UI's own static routes and the console's page and assets (public, kept
      // out of the OpenAPI document) aside, every route the router holds.
      return routes.filter(
        (r) =>
          r.method !== 'HEAD' &&
          r.method !== 'OPTIONS' &&
          !r.url.startsWith('/docs') &&
          !r.url.startsWith('/console'),
      );
    }

    function policyOf(route: Route): Policy {
      const policy = policies.get(`${route.method} ${toOpenApiPath(route.url)}`);
      if (!policy)
        throw new Error(
          `${route.method} ${route.url} is routed but has no documented access policy`,
        );
      return policy;
    }

    function pathFor(route: Route, caller?: TestUser): string {
      return route.url
        .replace(/:username/g, caller?.username ?? 'nobody')
        .replace(/:[A-Za-z_]+/g, randomUUID());
    }

    async function call(
      route: Route,
      token?: string,
      caller?: TestUser,
      headers?: Record<string, string>,
    ) {
      const withBody = ['POST', 'PATCH', 'PUT'].includes(route.method);
      const isForm = route.url === '/auth/token';
      return t.api.request(route.method, pathFor(route, caller), {
        token,
        headers,
        ...(withBody ? (isForm ? { form: {} } : { json: {} }) : {}),
      });
    }

    it('collects the routes from the router, and each one has a policy', () => {
      expect(appRoutes().length).toBeGreaterThan(15);
      for (const route of appRoutes()) expect(() => policyOf(route)).not.toThrow();
    });

    it('without credentials: public routes answer, every other route is 401 (declaring nothing means authenticated)', async () => {
      for (const route of appRoutes()) {
        const response = await call(route);
        const policy = policyOf(route);
        const outcome = {
          route: `${route.method} ${route.url}`,
          unauthorized: response.status === 401,
        };
        expect(outcome).toEqual({ route: outcome.route, unauthorized: !policy.isPublic });
      }
    });

    it.each(ROLES.map((role) => [role]))(
      'as %s with every scope: allowed exactly where role and scopes suffice',
      async (role) => {
        const caller = users[role];
        const permissions: readonly string[] = effectivePermissions([role]);
        for (const route of appRoutes()) {
          const policy = policyOf(route);
          if (policy.isPublic || policy.clientOnly) continue;
          const { access_token } = await login(t.api, caller);
          const response = await call(route, access_token, caller);
          const allowed =
            (policy.role === undefined || roleRank(role) >= roleRank(policy.role)) &&
            policy.scopes.every((scope) => permissions.includes(scope));
          const outcome = { route: `${route.method} ${route.url}`, status: response.status };
          if (allowed) expect([401, 403]).not.toContain(outcome.status);
          else expect(outcome).toEqual({ route: outcome.route, status: 403 });
        }
      },
    );

    it('as admin with a token narrowed to read:items: only routes needing no other scope let it through', async () => {
      const caller = users.admin;
      for (const route of appRoutes()) {
        const policy = policyOf(route);
        if (policy.isPublic || policy.clientOnly) continue;
        const token = (await passwordGrant(t.api, caller, 'read:items')).body.access_token;
        const response = await call(route, token, caller);
        const allowed =
          !policy.recentAuth && policy.scopes.every((scope) => scope === 'read:items');
        const outcome = { route: `${route.method} ${route.url}`, status: response.status };
        if (allowed) expect([401, 403]).not.toContain(outcome.status);
        else expect(outcome).toEqual({ route: outcome.route, status: 403 });
      }
    });

    it.each([['viewer'], ['user'], ['admin']] as Array<[Role]>)(
      'as %s through an API key with every permission: key routes as with a token, every other route 401',
      async (role) => {
        const caller = users[role];
        const permissions: readonly string[] = effectivePermissions([role]);
        const { access_token } = await login(t.api, caller);
        const created = await t.api.post('/api-keys', {
          token: access_token,
          json: { name: 'route walker', scopes: permissions },
        });
        expect(created.status).toBe(201);
        const headers = { 'x-api-key': created.body.key as string };
        let accepted = 0;
        for (const route of appRoutes()) {
          const policy = policyOf(route);
          if (policy.isPublic || policy.clientOnly) continue;
          const response = await call(route, undefined, caller, headers);
          const outcome = { route: `${route.method} ${route.url}`, status: response.status };
          if (!policy.acceptsApiKey) {
            expect(outcome).toEqual({ route: outcome.route, status: 401 });
            continue;
          }
          accepted++;
          const allowed =
            (policy.role === undefined || roleRank(role) >= roleRank(policy.role)) &&
            policy.scopes.every((scope) => permissions.includes(scope));
          if (allowed) expect([401, 403]).not.toContain(outcome.status);
          else expect(outcome).toEqual({ route: outcome.route, status: 403 });
        }
        expect(accepted).toBeGreaterThan(5);
      },
    );
  });

  describe('role hierarchy and scopes', () => {
    it('a moderator passes user-level and moderator routes, and fails an admin one', async () => {
      const { access_token } = await login(t.api, users.moderator);
      const privateRoute = await t.api.get('/api/private', { token: access_token });
      expect(privateRoute.status).toBe(200);
      expect(privateRoute.body).toMatchObject({
        user_id: users.moderator.id,
        roles: ['moderator'],
      });
      expect((await t.api.get('/api/moderator', { token: access_token })).status).toBe(200);
      const admin = await t.api.get('/api/admin', { token: access_token });
      expect(admin.status).toBe(403);
      expect(admin.body).toMatchObject({ code: 'FORBIDDEN', status: 403 });
    });

    it('answers a missing scope with 403 insufficient_scope and names the scope (RFC 6750 §3)', async () => {
      const token = (await passwordGrant(t.api, users.admin, 'read:items')).body.access_token;
      const response = await t.api.get('/admin/users', { token });
      expect(response.status).toBe(403);
      expect(response.headers.get('www-authenticate')).toBe(
        'Bearer error="insufficient_scope", scope="read:users"',
      );
      expect(response.body).toMatchObject({ code: 'INSUFFICIENT_SCOPE', status: 403 });
    });

    it('keeps the tutorial responses: /api/public and /api/users', async () => {
      expect((await t.api.get('/api/public')).body).toEqual({
        message: 'This is a public endpoint',
      });
      const { access_token } = await login(t.api, users.admin);
      const response = await t.api.get('/api/users', { token: access_token });
      expect(response.status).toBe(200);
      expect(response.body.total).toBeGreaterThanOrEqual(ROLES.length);
      expect(response.body.users.map((u: { id: string }) => u.id)).toContain(users.viewer.id);
    });
  });

  describe('GET /users/{username}', () => {
    it('shows yourself, refuses others without read:users, shows anyone with it', async () => {
      const self = await t.api.get(`/users/${users.user.username.toUpperCase()}`, {
        token: (await login(t.api, users.user)).access_token,
      });
      expect(self.status).toBe(200);
      expect(self.body.id).toBe(users.user.id);
      const other = await t.api.get(`/users/${users.viewer.username}`, {
        token: (await login(t.api, users.user)).access_token,
      });
      expect(other.status).toBe(403);
      const editorToken = (await login(t.api, users.editor)).access_token;
      const asEditor = await t.api.get(`/users/${users.viewer.username}`, { token: editorToken });
      expect(asEditor.status).toBe(200);
      expect(asEditor.body.id).toBe(users.viewer.id);
      expect((await t.api.get('/users/no_such_user_here', { token: editorToken })).status).toBe(
        404,
      );
    });
  });
});
