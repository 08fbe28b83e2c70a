import * as oidc from 'openid-client';
import pg from 'pg';
import { startTestApp, type TestApp } from './app.js';
import { login, registerUser, setRoles, type TestUser } from './factories.js';
import { freePort, type Instance, startInstance } from './instance.js';

/**
 * OAuth clients, the client credentials grant and RFC 7662 introspection, driven by a real relying
 * party library (openid-client) that finds the endpoints through the RFC 8414 document.
 */
describe('OAuth clients, client credentials and introspection', () => {
  let t: TestApp;
  let db: pg.Client;
  let admin: TestUser;
  let adminToken: string;
  let issuer: URL;

  async function createClient(scopes: string[], token = adminToken) {
    return t.api.post('/admin/oauth-clients', { token, json: { name: 'billing', scopes } });
  }

  async function discover(clientId: string, auth: oidc.ClientAuth) {
    return oidc.discovery(issuer, clientId, undefined, auth, {
      algorithm: 'oauth2',
      execute: [oidc.allowInsecureRequests],
    });
  }

  beforeAll(async () => {
    const port = await freePort();
    issuer = new URL(`http://127.0.0.1:${port}`);
    t = await startTestApp({ port, env: { TOKEN_ISSUER: issuer.origin } });
    db = new pg.Client({ connectionString: t.database.url });
    await db.connect();
    admin = await registerUser(t.api);
    await setRoles(db, admin, ['admin']);
    adminToken = (await login(t.api, admin)).access_token;
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  it('creates a client whose secret is shown once and stored only as a hash', async () => {
    const created = await createClient(['read:items']);
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      client_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      client_secret: expect.any(String),
      name: 'billing',
      scopes: ['read:items'],
      created_at: expect.any(String),
    });
    expect(created.body.client_secret.length).toBeGreaterThanOrEqual(43);
    const rows = await db.query('SELECT * FROM oauth_clients WHERE id = $1', [
      created.body.client_id,
    ]);
    expect(JSON.stringify(rows.rows)).not.toContain(created.body.client_secret);

    const list = await t.api.get('/admin/oauth-clients', { token: adminToken });
    expect(list.status).toBe(200);
    const listed = list.body.items.find((c: any) => c.client_id === created.body.client_id);
    expect(listed).toEqual({
      client_id: created.body.client_id,
      name: 'billing',
      scopes: ['read:items'],
      created_at: created.body.created_at,
    });
  });

  it('needs manage:clients, and never grants a client more than its creator holds', async () => {
    const someone = await registerUser(t.api);
    const { access_token } = await login(t.api, someone);
    expect((await createClient(['read:items'], access_token)).status).toBe(403);
    expect((await t.api.get('/admin/oauth-clients', { token: access_token })).status).toBe(403);
    // An extra grant of manage:clients is not enough: the routes are for admins (as signing keys').
    const granted = await registerUser(t.api);
    await setRoles(db, granted, ['moderator'], ['manage:clients']);
    const grantedToken = (await login(t.api, granted)).access_token;
    expect((await createClient(['read:items'], grantedToken)).status).toBe(403);
    expect((await t.api.get('/admin/oauth-clients', { token: grantedToken })).status).toBe(403);
    const narrowed = await t.api.post('/auth/token', {
      form: {
        grant_type: 'password',
        username: admin.username,
        password: admin.password,
        scope: 'manage:clients',
      },
    });
    expect((await createClient(['read:items'], narrowed.body.access_token)).status).toBe(403);
    const invalid = await createClient(['not:a-scope']);
    expect(invalid.status).toBe(400);
  });

  it('runs the client credentials grant through openid-client (Basic and post), no refresh token', async () => {
    const { client_id, client_secret } = (await createClient(['read:items', 'write:items'])).body;
    for (const auth of [
      oidc.ClientSecretBasic(client_secret),
      oidc.ClientSecretPost(client_secret),
    ]) {
      const config = await discover(client_id, auth);
      const tokens = await oidc.clientCredentialsGrant(config, { scope: 'read:items' });
      expect(tokens.token_type).toBe('bearer');
      expect(tokens.scope).toBe('read:items');
      expect(tokens.refresh_token).toBeUndefined();
      expect(tokens.expires_in).toBeGreaterThan(0);

      // A principal of its own: routes that accept clients, never a route about "me".
      const greeting = await t.api.get('/api/private', { token: tokens.access_token });
      expect(greeting.status).toBe(200);
      expect(greeting.body.client_id).toBe(client_id);
      for (const path of ['/users/me', '/auth/me', '/auth/sessions', '/api-keys']) {
        expect({
          path,
          status: (await t.api.get(path, { token: tokens.access_token })).status,
        }).toEqual({
          path,
          status: 403,
        });
      }
    }
    // Without a scope: everything the client has.
    const all = await oidc.clientCredentialsGrant(
      await discover(client_id, oidc.ClientSecretBasic(client_secret)),
    );
    expect(all.scope).toBe('read:items write:items');
  });

  it('refuses a scope beyond the client, and a bad client with 401 invalid_client and a Basic challenge', async () => {
    const { client_id, client_secret } = (await createClient(['read:items'])).body;
    const basic = (id: string, secret: string) => ({
      authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
    });
    const beyond = await t.api.post('/auth/token', {
      headers: basic(client_id, client_secret),
      form: { grant_type: 'client_credentials', scope: 'write:items' },
    });
    expect(beyond.status).toBe(400);
    expect(beyond.body.error).toBe('invalid_scope');

    // RFC 7009: a client token cannot be revoked alone; the answer says so and the token still works.
    const granted = await t.api.post('/auth/token', {
      headers: basic(client_id, client_secret),
      form: { grant_type: 'client_credentials' },
    });
    const revoked = await t.api.post('/auth/revoke', {
      form: { token: granted.body.access_token },
    });
    expect(revoked.status).toBe(400);
    expect(revoked.body.error).toBe('unsupported_token_type');
    const still = await t.api.get('/api/private', { token: granted.body.access_token });
    expect(still.status).toBe(200);

    const attempts: Array<{ headers?: Record<string, string>; form: Record<string, string> }> = [
      { headers: basic(client_id, 'wrong'), form: { grant_type: 'client_credentials' } },
      {
        headers: basic('00000000-0000-4000-8000-000000000000', client_secret),
        form: { grant_type: 'client_credentials' },
      },
      { form: { grant_type: 'client_credentials', client_id, client_secret: 'wrong' } },
      { form: { grant_type: 'client_credentials' } },
      { headers: { authorization: 'Basic !!!' }, form: { grant_type: 'client_credentials' } },
    ];
    for (const attempt of attempts) {
      const response = await t.api.post('/auth/token', attempt);
      expect(response.status).toBe(401);
      expect(response.body.error).toBe('invalid_client');
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic /);
      expect(response.headers.get('cache-control')).toBe('no-store');
    }
  });

  it('introspects with the checks a request makes, through openid-client', async () => {
    const { client_id, client_secret } = (await createClient(['read:items'])).body;
    const config = await discover(client_id, oidc.ClientSecretBasic(client_secret));
    const user = await registerUser(t.api);
    const tokens = await login(t.api, user);

    const active = await oidc.tokenIntrospection(config, tokens.access_token);
    expect(active).toMatchObject({
      active: true,
      sub: user.id,
      username: user.username,
      scope: tokens.scope,
      iss: issuer.origin,
      aud: 'gatehouse-api',
      token_type: 'bearer',
    });
    const own = await oidc.clientCredentialsGrant(config);
    expect(await oidc.tokenIntrospection(config, own.access_token)).toMatchObject({
      active: true,
      client_id,
      sub: client_id,
      scope: 'read:items',
    });

    for (const inactive of [tokens.refresh_token, 'garbage', `${tokens.access_token}x`]) {
      expect(await oidc.tokenIntrospection(config, inactive)).toEqual({ active: false });
    }
    // A session ended: inactive at once.
    expect((await t.api.post('/auth/logout', { token: tokens.access_token })).status).toBe(204);
    expect(await oidc.tokenIntrospection(config, tokens.access_token)).toEqual({ active: false });
    // A user disabled behind the service's back (straight in the database): inactive at once.
    const otherUser = await registerUser(t.api);
    const other = await login(t.api, otherUser);
    await db.query('UPDATE users SET is_active = false WHERE id = $1', [otherUser.id]);
    expect(await oidc.tokenIntrospection(config, other.access_token)).toEqual({ active: false });

    const anonymous = await t.api.post('/auth/introspect', {
      form: { token: tokens.access_token },
    });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error).toBe('invalid_client');
  });

  describe('deleting a client', () => {
    let second: Instance;

    beforeAll(async () => {
      second = await startInstance(t.database.url, { TOKEN_ISSUER: issuer.origin });
    });
    afterAll(() => second.stop());

    it('kills its tokens at once, on every instance', async () => {
      const { client_id, client_secret } = (await createClient(['read:items'])).body;
      const config = await discover(client_id, oidc.ClientSecretPost(client_secret));
      const { access_token } = await oidc.clientCredentialsGrant(config);
      expect((await t.api.get('/api/private', { token: access_token })).status).toBe(200);
      expect((await second.api.get('/api/private', { token: access_token })).status).toBe(200);

      const deleted = await t.api.request('DELETE', `/admin/oauth-clients/${client_id}`, {
        token: adminToken,
      });
      expect(deleted.status).toBe(204);
      expect((await t.api.get('/api/private', { token: access_token })).status).toBe(401);
      // The other instance hears the database's notification: poll until it does.
      const deadline = Date.now() + 5000;
      let status = 200;
      while (status !== 401 && Date.now() < deadline) {
        status = (await second.api.get('/api/private', { token: access_token })).status;
      }
      expect(status).toBe(401);
      const form = { grant_type: 'client_credentials', client_id, client_secret };
      expect((await t.api.post('/auth/token', { form })).status).toBe(401);
      expect(
        (await t.api.request('DELETE', `/admin/oauth-clients/${client_id}`, { token: adminToken }))
          .status,
      ).toBe(404);
    });
  });
});
