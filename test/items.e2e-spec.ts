import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { startTestApp, type TestApp } from './app.js';
import { login, passwordGrant, registerUser, setRoles, type TestUser } from './factories.js';

interface ItemRow {
  id: string;
  owner_id: string;
  name: string;
  description: string | null;
}

describe('items: scopes decide what, ownership decides which rows', () => {
  let t: TestApp;
  let db: pg.Client;

  beforeAll(async () => {
    t = await startTestApp();
    db = new pg.Client({ connectionString: t.database.url });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  /** A fresh user with the given role and an access token carrying all of its permissions. */
  async function newCaller(role = 'user'): Promise<{ user: TestUser; token: string }> {
    const user = await registerUser(t.api);
    if (role !== 'user') await setRoles(db, user, [role]);
    return { user, token: (await login(t.api, user)).access_token };
  }

  async function createItem(token: string, body: unknown = { name: `item-${randomUUID()}` }) {
    const response = await t.api.post('/items', { token, json: body });
    expect(response.status).toBe(201);
    return response.body;
  }

  function remove(path: string, token: string) {
    return t.api.request('DELETE', path, { token });
  }

  async function rowsOf(ownerId: string): Promise<ItemRow[]> {
    const { rows } = await db.query<ItemRow>(
      'SELECT id, owner_id, name, description FROM items WHERE owner_id = $1 ORDER BY created_at',
      [ownerId],
    );
    return rows;
  }

  async function rowById(id: string): Promise<ItemRow | undefined> {
    const { rows } = await db.query<ItemRow>(
      'SELECT id, owner_id, name, description FROM items WHERE id = $1',
      [id],
    );
    return rows[0];
  }

  it('needs credentials', async () => {
    const response = await t.api.get('/items');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="gatehouse"/);
  });

  it('creates, reads, lists, updates and deletes an item of your own', async () => {
    const { user, token } = await newCaller();

    const created = await t.api.post('/items', {
      token,
      json: { name: 'Notebook', description: 'A5, dotted' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      owner_id: user.id,
      name: 'Notebook',
      description: 'A5, dotted',
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(new Date(created.body.created_at).toISOString()).toBe(created.body.created_at);
    const id: string = created.body.id;

    const fetched = await t.api.get(`/items/${id}`, { token });
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(created.body);

    const list = await t.api.get('/items', { token });
    expect(list.status).toBe(200);
    expect(list.body).toEqual({ items: [created.body], total: 1, page: 1, limit: 20 });

    const renamed = await t.api.patch(`/items/${id}`, { token, json: { name: 'Sketchbook' } });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id, name: 'Sketchbook', description: 'A5, dotted' });
    expect(renamed.body.created_at).toBe(created.body.created_at);
    expect(Date.parse(renamed.body.updated_at)).toBeGreaterThanOrEqual(
      Date.parse(created.body.updated_at),
    );
    const { rows: stamps } = await db.query<{ moved: boolean }>(
      'SELECT updated_at > created_at AS moved FROM items WHERE id = $1',
      [id],
    );
    expect(stamps).toEqual([{ moved: true }]);

    const cleared = await t.api.patch(`/items/${id}`, { token, json: { description: null } });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({ name: 'Sketchbook', description: null });

    const unchanged = await t.api.patch(`/items/${id}`, { token, json: {} });
    expect(unchanged.status).toBe(200);
    expect(unchanged.body).toEqual(cleared.body);

    const deleted = await remove(`/items/${id}`, token);
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expect((await t.api.get(`/items/${id}`, { token })).status).toBe(404);
    expect((await remove(`/items/${id}`, token)).status).toBe(404);
    expect(await rowsOf(user.id)).toEqual([]);
  });

  describe('HTML is stripped from text before it is checked and stored', () => {
    it('removes tags, and the content of script elements, from name and description', async () => {
      const { user, token } = await newCaller();
      const item = await createItem(token, {
        name: '<script>alert(1)</script>Hello <b>world</b>',
        description: '<img src=x onerror=alert(1)><p onclick="steal()">Nice <i>and</i> clean</p>',
      });
      expect(item).toMatchObject({ name: 'Hello world', description: 'Nice and clean' });
      expect(await rowById(item.id)).toEqual({
        id: item.id,
        owner_id: user.id,
        name: 'Hello world',
        description: 'Nice and clean',
      });

      const patched = await t.api.patch(`/items/${item.id}`, {
        token,
        json: {
          name: '<a href="javascript:alert(1)">Click</a> me',
          description: '<style>*{}</style>',
        },
      });
      expect(patched.status).toBe(200);
      // A description that is nothing but markup is no description at all.
      expect(patched.body).toMatchObject({ name: 'Click me', description: null });
      expect(await rowById(item.id)).toMatchObject({ name: 'Click me', description: null });
    });

    it('stores plain text: entities decoded, markup hidden behind them stripped too, stable when sent again', async () => {
      const { token } = await newCaller();
      const plain = await createItem(token, {
        name: 'Tom & Jerry <3',
        description: 'a < b && c > d',
      });
      expect(plain).toMatchObject({ name: 'Tom & Jerry <3', description: 'a < b && c > d' });

      const item = await createItem(token, {
        name: 'Tom &amp; Jerry &lt;script&gt;alert(1)&lt;/script&gt;',
        description: '<<b>script>alert(1)<</b>/script>',
      });
      expect(item.name).toBe('Tom & Jerry');
      expect(item.description).toBeNull();
      expect(await rowById(item.id)).toMatchObject({ name: 'Tom & Jerry', description: null });

      // A client that saves what it read gets the same text back, not a double escaping.
      const again = await t.api.patch(`/items/${plain.id}`, {
        token,
        json: { name: plain.name, description: plain.description },
      });
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ name: plain.name, description: plain.description });
    });

    it('measures the length of the cleaned text, and refuses a name with nothing left', async () => {
      const { user, token } = await newCaller();
      const long = 'x'.repeat(200);
      const item = await createItem(token, { name: `<b>${long}</b>` });
      expect(item.name).toBe(long);

      for (const name of ['<b></b>', '<script>alert(1)</script>', '   ', `${long}y`]) {
        const response = await t.api.post('/items', { token, json: { name } });
        expect({ name, status: response.status }).toEqual({ name, status: 400 });
        expect(response.body.errors).toEqual([
          { field: 'name', message: expect.stringContaining('1 to 200 characters') },
        ]);
      }
      const emptied = await t.api.patch(`/items/${item.id}`, {
        token,
        json: { name: '<i></i>' },
      });
      expect(emptied.status).toBe(400);
      expect(await rowsOf(user.id)).toEqual([expect.objectContaining({ name: long })]);
    });
  });

  describe("another user's item (BOLA)", () => {
    it('is a 404 on GET, PATCH and DELETE, the same as an id that does not exist, and stays unchanged', async () => {
      const alice = await newCaller();
      const bob = await newCaller();
      const item = await createItem(alice.token, { name: 'Alice’s', description: 'private' });
      await createItem(bob.token, { name: 'Bob’s' });

      const missing = await t.api.get(`/items/${randomUUID()}`, { token: bob.token });
      expect(missing.status).toBe(404);
      expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(missing.body).toMatchObject({ code: 'NOT_FOUND', status: 404 });

      const responses = [
        await t.api.get(`/items/${item.id}`, { token: bob.token }),
        await t.api.patch(`/items/${item.id}`, { token: bob.token, json: { name: 'pwned' } }),
        await t.api.patch(`/items/${item.id}`, { token: bob.token, json: {} }),
        await remove(`/items/${item.id}`, bob.token),
      ];
      for (const response of responses) {
        expect(response.status).toBe(404);
        expect(response.body).toEqual(missing.body);
      }

      const bobsList = await t.api.get('/items', { token: bob.token });
      expect(bobsList.body.total).toBe(1);
      expect(bobsList.body.items.map((i: { name: string }) => i.name)).toEqual(['Bob’s']);
      expect(await rowById(item.id)).toEqual({
        id: item.id,
        owner_id: alice.user.id,
        name: 'Alice’s',
        description: 'private',
      });
      expect((await t.api.get(`/items/${item.id}`, { token: alice.token })).body).toEqual(item);
    });

    it('a malformed id is the same 404', async () => {
      const { token } = await newCaller();
      const missing = await t.api.get(`/items/${randomUUID()}`, { token });
      for (const response of [
        await t.api.get('/items/not-a-uuid', { token }),
        await t.api.patch('/items/1', { token, json: { name: 'x' } }),
        await remove(`/items/${randomUUID()}x`, token),
      ]) {
        expect(response.status).toBe(404);
        expect(response.body).toEqual(missing.body);
      }
    });

    it('a moderator sees everyone’s items and may edit and delete them', async () => {
      const alice = await newCaller();
      const bob = await newCaller();
      const moderator = await newCaller('moderator');
      const alices = await createItem(alice.token, { name: 'alice-1' });
      const bobs = await createItem(bob.token, { name: 'bob-1' });
      const own = await createItem(moderator.token, { name: 'mod-1' });

      const all = await t.api.get('/items?limit=100', { token: moderator.token });
      expect(all.status).toBe(200);
      const ids = all.body.items.map((i: { id: string }) => i.id);
      expect(ids).toEqual(expect.arrayContaining([alices.id, bobs.id, own.id]));
      const { rows } = await db.query<{ count: number }>(
        'SELECT count(*)::int AS count FROM items',
      );
      expect(all.body.total).toBe(rows[0].count);

      expect((await t.api.get(`/items/${alices.id}`, { token: moderator.token })).body).toEqual(
        alices,
      );
      const edited = await t.api.patch(`/items/${alices.id}`, {
        token: moderator.token,
        json: { name: 'moderated <em>name</em>' },
      });
      expect(edited.status).toBe(200);
      // Moderating does not change who owns the item.
      expect(edited.body).toMatchObject({ owner_id: alice.user.id, name: 'moderated name' });
      expect((await t.api.get(`/items/${alices.id}`, { token: alice.token })).body.name).toBe(
        'moderated name',
      );

      expect((await remove(`/items/${bobs.id}`, moderator.token)).status).toBe(204);
      expect(await rowById(bobs.id)).toBeUndefined();
      expect((await t.api.get(`/items/${bobs.id}`, { token: bob.token })).status).toBe(404);
    });

    it('a moderator’s token without moderate:items acts on its own items only', async () => {
      const alice = await newCaller();
      const moderator = await newCaller('moderator');
      const alices = await createItem(alice.token);
      const grant = await passwordGrant(
        t.api,
        moderator.user,
        'read:items write:items delete:items',
      );
      expect(grant.status).toBe(200);
      const token = grant.body.access_token;
      expect((await t.api.get(`/items/${alices.id}`, { token })).status).toBe(404);
      expect((await remove(`/items/${alices.id}`, token)).status).toBe(404);
      expect((await t.api.get('/items', { token })).body.total).toBe(0);
    });
  });

  describe('scopes', () => {
    it('a token narrowed to read:items reads but cannot write or delete (403 insufficient_scope)', async () => {
      const { user, token } = await newCaller();
      const item = await createItem(token, { name: 'mine' });
      const grant = await passwordGrant(t.api, user, 'read:items');
      expect(grant.status).toBe(200);
      const readOnly = grant.body.access_token;

      expect((await t.api.get('/items', { token: readOnly })).body.total).toBe(1);
      expect((await t.api.get(`/items/${item.id}`, { token: readOnly })).status).toBe(200);

      const created = await t.api.post('/items', { token: readOnly, json: { name: 'nope' } });
      expect(created.status).toBe(403);
      expect(created.headers.get('www-authenticate')).toBe(
        'Bearer error="insufficient_scope", scope="write:items"',
      );
      expect(created.body).toMatchObject({ code: 'INSUFFICIENT_SCOPE', status: 403 });

      const patched = await t.api.patch(`/items/${item.id}`, {
        token: readOnly,
        json: { name: 'nope' },
      });
      expect(patched.status).toBe(403);
      const deleted = await remove(`/items/${item.id}`, readOnly);
      expect(deleted.status).toBe(403);
      expect(deleted.headers.get('www-authenticate')).toBe(
        'Bearer error="insufficient_scope", scope="delete:items"',
      );
      expect(await rowsOf(user.id)).toEqual([expect.objectContaining({ name: 'mine' })]);
    });

    it('a viewer reads their own list but cannot create', async () => {
      const { user, token } = await newCaller();
      const item = await createItem(token, { name: 'made while a user' });
      await setRoles(db, user, ['viewer']);
      const viewerToken = (await login(t.api, user)).access_token;

      const list = await t.api.get('/items', { token: viewerToken });
      expect(list.status).toBe(200);
      expect(list.body).toEqual({ items: [item], total: 1, page: 1, limit: 20 });

      const created = await t.api.post('/items', { token: viewerToken, json: { name: 'x' } });
      expect(created.status).toBe(403);
      expect(created.headers.get('www-authenticate')).toBe(
        'Bearer error="insufficient_scope", scope="write:items"',
      );
      expect(await rowsOf(user.id)).toHaveLength(1);
    });
  });

  describe('invalid input is a 400 and stores nothing', () => {
    it.each([
      ['an unknown field', { name: 'x', owner_id: randomUUID() }, 'owner_id'],
      ['an id', { name: 'x', id: randomUUID() }, 'id'],
      ['a missing name', { description: 'x' }, 'name'],
      ['a null name', { name: null }, 'name'],
      ['a number as name', { name: 42 }, 'name'],
      ['an array as name', { name: ['a', 'b'] }, 'name'],
      ['an object as description', { name: 'x', description: { html: '<b>' } }, 'description'],
      ['a NUL character in the name', { name: 'a\u0000b' }, 'name'],
      ['a NUL character in the description', { name: 'x', description: '\u0000' }, 'description'],
      [
        'a description over 2000 characters',
        { name: 'x', description: 'd'.repeat(2001) },
        'description',
      ],
    ])('POST with %s', async (_case, body, field) => {
      const { user, token } = await newCaller();
      const response = await t.api.post('/items', { token, json: body });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      expect(await rowsOf(user.id)).toEqual([]);
    });

    it('PATCH refuses the same, and a null name, leaving the item as it was', async () => {
      const { user, token } = await newCaller();
      const item = await createItem(token, { name: 'before', description: 'as is' });
      for (const body of [
        { owner_id: randomUUID() },
        { name: null },
        { name: 7 },
        { description: 7 },
        { name: 'ok\u0000' },
        { name: 'ok', created_at: '2000-01-01T00:00:00.000Z' },
      ]) {
        const response = await t.api.patch(`/items/${item.id}`, { token, json: body });
        expect({ body, status: response.status }).toEqual({ body, status: 400 });
      }
      expect(await rowsOf(user.id)).toEqual([
        { id: item.id, owner_id: user.id, name: 'before', description: 'as is' },
      ]);
    });

    it('refuses malformed JSON and bad paging values', async () => {
      const { user, token } = await newCaller();
      const malformed = await t.api.post('/items', {
        token,
        raw: '{"name": ',
        headers: { 'content-type': 'application/json' },
      });
      expect(malformed.status).toBe(400);
      for (const query of ['limit=0', 'limit=101', 'page=0', 'page=abc', 'owner_id=x']) {
        const response = await t.api.get(`/items?${query}`, { token });
        expect({ query, status: response.status }).toEqual({ query, status: 400 });
      }
      expect(await rowsOf(user.id)).toEqual([]);
    });
  });

  it('pages through your items with stable totals, oldest first', async () => {
    const { token } = await newCaller();
    const created = [];
    for (let i = 1; i <= 5; i++) created.push(await createItem(token, { name: `page-${i}` }));
    // Someone else's items never count towards your total.
    await createItem((await newCaller()).token);

    const pages = [];
    for (const page of [1, 2, 3, 4]) {
      const response = await t.api.get(`/items?page=${page}&limit=2`, { token });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ total: 5, page, limit: 2 });
      pages.push(response.body.items.map((i: { name: string }) => i.name));
    }
    expect(pages).toEqual([['page-1', 'page-2'], ['page-3', 'page-4'], ['page-5'], []]);
  });

  it('deleting the owner deletes their items', async () => {
    const admin = await newCaller('admin');
    const { user, token } = await newCaller();
    const other = await newCaller();
    await createItem(token);
    await createItem(token);
    const kept = await createItem(other.token);
    expect(await rowsOf(user.id)).toHaveLength(2);

    const deleted = await remove(`/admin/users/${user.id}`, admin.token);
    expect(deleted.status).toBe(204);
    expect(await rowsOf(user.id)).toEqual([]);
    expect(await rowById(kept.id)).toBeDefined();
  });
});
