import { createHash } from 'node:crypto';
import pg from 'pg';
import { startTestApp, type TestApp } from './app.js';
import { login, passwordGrant, registerUser, setRoles, type TestUser } from './factories.js';

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const KEY_SHAPE = /^gatehouse_[0-9A-Za-z]{46}$/;

/**
 * The queries left once the mail sender's own work is taken out. It polls the outbox every second and
 * delivers what is due (the verification mail of a user registered just before the capture), whatever
 * the requests do, each pass in one transaction on one pooled connection. So every transaction that
 * touches `mail_outbox` goes, and so does a lone transaction statement, which is what is left of a
 * pass that the capture cut at either end. A request's own queries stay.
 */
function withoutMailSenderWork(queries: { client: unknown; text: string }[]): string[] {
  const isBoundary = (text: string) => ['START TRANSACTION', 'COMMIT', 'ROLLBACK'].includes(text);
  const byConnection = new Map<unknown, number[]>();
  queries.forEach(({ client }, i) =>
    byConnection.set(client, [...(byConnection.get(client) ?? []), i]),
  );
  const dropped = new Set<number>();
  for (const statements of byConnection.values()) {
    let transaction: number[] = [];
    const close = () => {
      const texts = transaction.map((i) => queries[i].text);
      if (texts.some((text) => text.includes('mail_outbox')) || texts.every(isBoundary)) {
        for (const i of transaction) dropped.add(i);
      }
      transaction = [];
    };
    for (const i of statements) {
      const { text } = queries[i];
      if (text === 'START TRANSACTION') close();
      transaction.push(i);
      if (text === 'COMMIT' || text === 'ROLLBACK') close();
    }
    close();
  }
  return queries.filter((_, i) => !dropped.has(i)).map(({ text }) => text);
}

describe('API keys', () => {
  let t: TestApp;
  let db: pg.Client;
  let admin: TestUser;

  beforeAll(async () => {
    t = await startTestApp();
    db = new pg.Client({ connectionString: t.database.url });
    await db.connect();
    admin = await registerUser(t.api);
    await setRoles(db, admin, ['admin']);
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  const adminToken = async () => (await login(t.api, admin)).access_token;
  const withKey = (key: string, headers: Record<string, string> = {}) => ({
    headers: { 'x-api-key': key, ...headers },
  });
  const createKey = async (token: string, json: Record<string, unknown>) =>
    t.api.post('/api-keys', { token, json });
  /** A fresh user with a key carrying the given scopes. */
  async function userWithKey(scopes: string[], extra: Record<string, unknown> = {}) {
    const user = await registerUser(t.api);
    const token = (await login(t.api, user)).access_token;
    const created = await createKey(token, { name: 'test key', scopes, ...extra });
    expect(created.status).toBe(201);
    return { user, token, key: created.body.key as string, id: created.body.id as string };
  }

  describe('create -> use -> list -> revoke -> refused', () => {
    it('walks the whole life of a key; the secret is only ever in the creation response', async () => {
      const user = await registerUser(t.api);
      const token = (await login(t.api, user)).access_token;

      const created = await createKey(token, { name: 'CI deploy', scopes: ['read:items'] });
      expect(created.status).toBe(201);
      expect(created.headers.get('cache-control')).toBe('no-store');
      expect(created.headers.get('pragma')).toBe('no-cache');
      expect(Object.keys(created.body).sort()).toEqual(
        ['created_at', 'expires_at', 'id', 'key', 'name', 'prefix', 'scopes'].sort(),
      );
      const { key, id, prefix } = created.body;
      expect(key).toMatch(KEY_SHAPE);
      expect(key.startsWith(prefix)).toBe(true);
      expect(prefix).toMatch(/^gatehouse_[0-9A-Za-z]{8}$/);
      expect(created.body).toMatchObject({
        name: 'CI deploy',
        scopes: ['read:items'],
        expires_at: null,
      });

      // Use: the same principal as a login, via the key, with the key's scopes.
      const me = await t.api.get('/users/me', withKey(key));
      expect(me.status).toBe(200);
      expect(me.body.id).toBe(user.id);
      expect((await t.api.get('/items', withKey(key))).status).toBe(200);
      const write = await t.api.post('/items', { ...withKey(key), json: { name: 'x' } });
      expect(write.status).toBe(403);
      expect(write.body.code).toBe('INSUFFICIENT_SCOPE');

      // List: prefix and last use, never the secret or its hash.
      const list = await t.api.get('/api-keys', { token });
      expect(list.status).toBe(200);
      expect(list.headers.get('cache-control')).toBe('no-store');
      expect(list.body).toHaveLength(1);
      expect(Object.keys(list.body[0]).sort()).toEqual(
        ['created_at', 'expires_at', 'id', 'last_used_at', 'name', 'prefix', 'scopes'].sort(),
      );
      expect(list.body[0]).toMatchObject({ id, prefix, scopes: ['read:items'] });
      expect(list.body[0].last_used_at).not.toBeNull();
      expect(list.text).not.toContain(key.slice(prefix.length));
      expect(list.text).not.toContain(sha256(key));

      // The database holds the hash only: no column of the row contains the key or its secret part.
      const rows = await db.query('SELECT * FROM api_keys WHERE id = $1', [id]);
      expect(rows.rows).toHaveLength(1);
      expect(rows.rows[0].key_hash).toBe(sha256(key));
      const stored = JSON.stringify(rows.rows[0]);
      expect(stored).not.toContain(key);
      expect(stored).not.toContain(key.slice(prefix.length));
      const events = await db.query(
        `SELECT type, details::text AS details FROM security_events
          WHERE user_id = $1 AND type LIKE 'api_key.%' ORDER BY seq`,
        [user.id],
      );
      expect(events.rows.map((e) => e.type)).toEqual(['api_key.created']);
      expect(events.rows[0].details).toContain(id);
      expect(events.rows[0].details).not.toContain(key.slice(prefix.length));

      // Revoke: it stops working at once (this instance's cache forgets it before answering).
      const revoke = await t.api.request('DELETE', `/api-keys/${id}`, { token });
      expect(revoke.status).toBe(204);
      const refused = await t.api.get('/users/me', withKey(key));
      expect(refused.status).toBe(401);
      expect(refused.body).toMatchObject({ code: 'INVALID_API_KEY', status: 401 });
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect((await t.api.get('/api-keys', { token })).body).toEqual([]);
      expect((await t.api.request('DELETE', `/api-keys/${id}`, { token })).status).toBe(404);
      const revokedEvents = await db.query(
        `SELECT actor_id FROM security_events WHERE user_id = $1 AND type = 'api_key.revoked'`,
        [user.id],
      );
      expect(revokedEvents.rows).toEqual([{ actor_id: null }]);
    });

    it('writes last_used_at at most about once a minute per key, not on every request', async () => {
      const { key, id } = await userWithKey([]);
      expect((await t.api.get('/users/me', withKey(key))).status).toBe(200);
      const first = await db.query('SELECT last_used_at FROM api_keys WHERE id = $1', [id]);
      expect(first.rows[0].last_used_at).not.toBeNull();
      // Mark the row; the requests that follow within the minute leave it alone.
      await db.query(`UPDATE api_keys SET last_used_at = '2000-01-01T00:00:00Z' WHERE id = $1`, [
        id,
      ]);
      for (let i = 0; i < 5; i++)
        expect((await t.api.get('/users/me', withKey(key))).status).toBe(200);
      const after = await db.query('SELECT last_used_at FROM api_keys WHERE id = $1', [id]);
      expect(after.rows[0].last_used_at.toISOString()).toBe('2000-01-01T00:00:00.000Z');
    });
    it('costs no database query once the key and its owner are cached', async () => {
      const { key } = await userWithKey(['read:items']);
      expect((await t.api.get('/users/me', withKey(key))).status).toBe(200);
      const queries: { client: unknown; text: string }[] = [];
      const original = pg.Client.prototype.query;
      const client = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
      client.query = function (this: unknown, ...args: unknown[]) {
        const [query] = args as [string | { text: string }];
        queries.push({ client: this, text: typeof query === 'string' ? query : query.text });
        return (original as (...a: unknown[]) => unknown).apply(this, args);
      };
      try {
        for (let i = 0; i < 5; i++)
          expect((await t.api.get('/users/me', withKey(key))).status).toBe(200);
      } finally {
        client.query = original as unknown as (...args: unknown[]) => unknown;
      }
      expect(withoutMailSenderWork(queries)).toEqual([]);
    });
  });

  describe('refusals', () => {
    it('answers an unknown, a malformed, a revoked and an expired key with the same 401', async () => {
      const revoked = await userWithKey(['read:items']);
      await t.api.request('DELETE', `/api-keys/${revoked.id}`, { token: revoked.token });
      const expired = await userWithKey(['read:items'], {
        expires_at: new Date(Date.now() + 3600_000).toISOString(),
      });
      await db.query(`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, [
        expired.id,
      ]);
      const unknown = `gatehouse_${'A'.repeat(46)}`;
      const answers = [];
      for (const key of [unknown, 'not-a-key', '', revoked.key, expired.key]) {
        const response = await t.api.get('/users/me', withKey(key));
        answers.push({ status: response.status, body: response.body });
      }
      for (const answer of answers) expect(answer).toEqual(answers[0]);
      expect(answers[0].status).toBe(401);
      expect(answers[0].body.code).toBe('INVALID_API_KEY');
    });

    it('refuses a key in the query string (400): credentials never go in a URL', async () => {
      const { key } = await userWithKey(['read:items']);
      for (const name of ['api_key', 'apikey', 'x-api-key', 'X-API-Key', 'key']) {
        const response = await t.api.get(`/users/me?${name}=${encodeURIComponent(key)}`);
        expect(response.status).toBe(400);
        expect(response.body.code).toBe('CREDENTIALS_IN_URL');
        expect(response.text).not.toContain(key);
      }
    });

    it('refuses a bearer token and a key in the same request (400), whoever they belong to', async () => {
      const owner = await userWithKey(['read:items']);
      const other = await registerUser(t.api);
      const otherToken = (await login(t.api, other)).access_token;
      for (const token of [otherToken, owner.token]) {
        const response = await t.api.get('/users/me', { token, ...withKey(owner.key) });
        expect(response.status).toBe(400);
        expect(response.body).toMatchObject({ code: 'CONFLICTING_CREDENTIALS', status: 400 });
      }
    });

    it('takes no key on bearer-only operations: a key cannot manage keys or the profile', async () => {
      const { key, id } = await userWithKey(['read:items', 'write:items']);
      const attempts = [
        await t.api.post('/api-keys', { ...withKey(key), json: { name: 'k', scopes: [] } }),
        await t.api.get('/api-keys', withKey(key)),
        await t.api.request('DELETE', `/api-keys/${id}`, withKey(key)),
        await t.api.patch('/users/me', { ...withKey(key), json: { full_name: 'x' } }),
        await t.api.get('/auth/sessions', withKey(key)),
      ];
      for (const response of attempts) {
        expect(response.status).toBe(401);
        expect(response.body.code).toBe('UNAUTHENTICATED');
      }
      expect((await t.api.get('/users/me', withKey(key))).status).toBe(200);
    });
  });

  describe('scopes', () => {
    it('must be a subset of the creator’s token scopes (403), and known permissions (400)', async () => {
      const user = await registerUser(t.api);
      const token = (await login(t.api, user)).access_token;
      const notHeld = await createKey(token, { name: 'k', scopes: ['read:items', 'read:users'] });
      expect(notHeld.status).toBe(403);
      expect(notHeld.body.code).toBe('FORBIDDEN');
      expect(notHeld.body.detail).toContain('read:users');
      const unknown = await createKey(token, { name: 'k', scopes: ['root'] });
      expect(unknown.status).toBe(400);
      expect(unknown.body.errors.map((e: { field: string }) => e.field)).toContain('scopes');
      // A token narrowed by scope cannot mint keys at all (creating a key needs recent authentication
      // with every permission: docs/security.md), neither wider nor as narrow as itself.
      const narrow = (await passwordGrant(t.api, user, 'read:items')).body.access_token;
      expect((await createKey(narrow, { name: 'k', scopes: ['write:items'] })).status).toBe(403);
      const asNarrow = await createKey(narrow, { name: 'k', scopes: ['read:items'] });
      expect(asNarrow.status).toBe(403);
      expect(asNarrow.body.code).toBe('INSUFFICIENT_SCOPE');
      expect(
        (await db.query('SELECT count(*)::int AS n FROM api_keys WHERE user_id = $1', [user.id]))
          .rows[0].n,
      ).toBe(0);
    });

    it('refuses bad bodies with 400 naming the field, never a 500', async () => {
      const user = await registerUser(t.api);
      const token = (await login(t.api, user)).access_token;
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ scopes: [] }, 'name'],
        [{ name: '', scopes: [] }, 'name'],
        [{ name: 'x'.repeat(101), scopes: [] }, 'name'],
        [{ name: 'k' }, 'scopes'],
        [{ name: 'k', scopes: 'read:items' }, 'scopes'],
        [{ name: 'k', scopes: ['read:items', 'read:items'] }, 'scopes'],
        [{ name: 'k', scopes: [], expires_at: '2001-01-01T00:00:00Z' }, 'expires_at'],
        [{ name: 'k', scopes: [], expires_at: 'tomorrow' }, 'expires_at'],
        [{ name: 'k', scopes: [], expires_at: 4102444800000 }, 'expires_at'],
        [{ name: 'k', scopes: [], user_id: admin.id }, 'user_id'],
      ];
      for (const [json, field] of cases) {
        const response = await createKey(token, json);
        expect({ json, status: response.status }).toEqual({ json, status: 400 });
        expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
    });

    it('are capped by the owner’s permissions at use time, and re-capped when the owner loses one', async () => {
      const { user, key } = await userWithKey(['read:items', 'write:items']);
      const post = () => t.api.post('/items', { ...withKey(key), json: { name: 'by key' } });
      expect((await post()).status).toBe(201);
      const demote = await t.api.patch(`/admin/users/${user.id}`, {
        token: await adminToken(),
        json: { roles: ['viewer'] },
      });
      expect(demote.status).toBe(200);
      const after = await post();
      expect(after.status).toBe(403);
      expect(after.body.code).toBe('INSUFFICIENT_SCOPE');
      expect((await t.api.get('/items', withKey(key))).status).toBe(200);
      // Given back, the key's own scope works again: the key never held more than it was created with.
      await t.api.patch(`/admin/users/${user.id}`, {
        token: await adminToken(),
        json: { roles: ['admin'] },
      });
      expect((await post()).status).toBe(201);
      expect((await t.api.get('/admin/users', withKey(key))).status).toBe(401);
      // The admin role does not widen the key: /api/admin also needs write:users (issue 12, finding 2).
      const adminRoute = await t.api.get('/api/admin', withKey(key));
      expect(adminRoute.status).toBe(403);
      expect(adminRoute.body.code).toBe('INSUFFICIENT_SCOPE');
    });

    it('an expiry in the future is kept and shown', async () => {
      const expiresAt = new Date(Date.now() + 86_400_000);
      const { key, token } = await userWithKey(['read:items'], {
        expires_at: expiresAt.toISOString(),
      });
      expect((await t.api.get('/items', withKey(key))).status).toBe(200);
      const list = await t.api.get('/api-keys', { token });
      expect(list.body[0].expires_at).toBe(expiresAt.toISOString());
    });
  });

  describe('owners', () => {
    it('a disabled owner’s keys are refused on the next request; a deleted owner’s keys are gone', async () => {
      const disabled = await userWithKey(['read:items']);
      expect((await t.api.get('/items', withKey(disabled.key))).status).toBe(200);
      const token = await adminToken();
      await t.api.patch(`/admin/users/${disabled.user.id}`, {
        token,
        json: { is_active: false },
      });
      expect((await t.api.get('/items', withKey(disabled.key))).status).toBe(401);

      const deleted = await userWithKey(['read:items']);
      expect((await t.api.get('/items', withKey(deleted.key))).status).toBe(200);
      const remove = await t.api.request('DELETE', `/admin/users/${deleted.user.id}`, { token });
      expect(remove.status).toBe(204);
      expect((await t.api.get('/items', withKey(deleted.key))).status).toBe(401);
      const left = await db.query('SELECT id FROM api_keys WHERE id = $1', [deleted.id]);
      expect(left.rows).toEqual([]);
    });

    it('another user’s key is a 404 to delete, and keeps working', async () => {
      const owner = await userWithKey(['read:items']);
      const other = await registerUser(t.api);
      const otherToken = (await login(t.api, other)).access_token;
      const response = await t.api.request('DELETE', `/api-keys/${owner.id}`, {
        token: otherToken,
      });
      expect(response.status).toBe(404);
      expect(response.body.code).toBe('NOT_FOUND');
      expect((await t.api.get('/api-keys', { token: otherToken })).body).toEqual([]);
      expect((await t.api.get('/items', withKey(owner.key))).status).toBe(200);
      expect(
        (await t.api.request('DELETE', '/api-keys/not-a-uuid', { token: otherToken })).status,
      ).toBe(404);
    });

    it('holders of manage:api_keys list anyone’s keys and revoke them', async () => {
      const owner = await userWithKey(['read:items']);
      const token = await adminToken();
      const list = await t.api.get(`/admin/api-keys?user_id=${owner.user.id}`, { token });
      expect(list.status).toBe(200);
      expect(list.body).toMatchObject({ total: 1, page: 1, limit: 20 });
      expect(list.body.items[0]).toMatchObject({
        id: owner.id,
        user_id: owner.user.id,
        revoked_at: null,
      });
      expect(list.body.items[0]).not.toHaveProperty('key');
      expect(list.body.items[0]).not.toHaveProperty('key_hash');
      expect(list.text).not.toContain(owner.key);

      expect((await t.api.request('DELETE', `/api-keys/${owner.id}`, { token })).status).toBe(204);
      expect((await t.api.get('/items', withKey(owner.key))).status).toBe(401);
      const events = await db.query(
        `SELECT actor_id FROM security_events WHERE user_id = $1 AND type = 'api_key.revoked'`,
        [owner.user.id],
      );
      expect(events.rows).toEqual([{ actor_id: admin.id }]);
      const again = await t.api.get(`/admin/api-keys?user_id=${owner.user.id}`, { token });
      expect(again.body.items[0].revoked_at).not.toBeNull();

      // Without the permission: 403 on the admin list, and the admin route's scope is in the challenge.
      expect((await t.api.get('/admin/api-keys', { token: owner.token })).status).toBe(403);
      expect((await t.api.get('/admin/api-keys?user_id=nope', { token })).status).toBe(400);
    });
  });

  describe('OpenAPI', () => {
    it('declares an apiKey scheme and lists it on exactly the operations that accept keys', async () => {
      const doc = (await t.api.get('/docs-json')).body;
      expect(doc.components.securitySchemes.apiKey).toMatchObject({
        type: 'apiKey',
        in: 'header',
        name: 'X-API-Key',
      });
      const accepts = (method: string, path: string) =>
        (doc.paths[path][method].security ?? []).some((s: object) => 'apiKey' in s);
      expect(accepts('get', '/users/me')).toBe(true);
      expect(accepts('get', '/items')).toBe(true);
      expect(accepts('get', '/api/private')).toBe(true);
      expect(accepts('patch', '/users/me')).toBe(false);
      expect(accepts('post', '/api-keys')).toBe(false);
      expect(accepts('get', '/admin/api-keys')).toBe(false);
    });
  });
});

describe('API keys: per-key rate limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { API_KEY_THROTTLE_LIMIT: '3' } });
  });
  afterAll(async () => {
    await t.close();
    process.env.API_KEY_THROTTLE_LIMIT = '1000000';
  });

  it('throttles each key on its own (429 with Retry-After), whichever client sends it', async () => {
    const user = await registerUser(t.api);
    const token = (await login(t.api, user)).access_token;
    const keys: string[] = [];
    for (const name of ['a', 'b']) {
      const created = await t.api.post('/api-keys', { token, json: { name, scopes: [] } });
      keys.push(created.body.key);
    }
    const me = (key: string) => t.api.get('/users/me', { headers: { 'x-api-key': key } });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await me(keys[0])).status);
    expect(statuses).toEqual([200, 200, 200]);
    const limited = await me(keys[0]);
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ code: 'TOO_MANY_REQUESTS', status: 429 });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    // Same client, another key: its own bucket. Bearer traffic is not counted per key.
    expect((await me(keys[1])).status).toBe(200);
    expect((await t.api.get('/users/me', { token })).status).toBe(200);
  });
});
