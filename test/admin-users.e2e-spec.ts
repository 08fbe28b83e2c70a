import pg from 'pg';
import { startTestApp, type TestApp } from './app.js';
import { startInstance } from './instance.js';
import { afterNotification, login, registerUser, setRoles, type TestUser } from './factories.js';

describe('admin user management and fresh authority', () => {
  let t: TestApp;
  let db: pg.Client;
  let admin: TestUser;
  let adminToken: string;

  beforeAll(async () => {
    t = await startTestApp();
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

  describe('GET /admin/users', () => {
    it('pages, searches and filters by role and status', async () => {
      const tag = `srch${Date.now()}`;
      const found = await Promise.all(
        [1, 2, 3].map((i) => registerUser(t.api, { username: `${tag}_${i}` })),
      );
      await setRoles(db, found[0], ['editor']);
      await db.query('UPDATE users SET is_active = false WHERE id = $1', [found[2].id]);

      const page1 = await t.api.get(`/admin/users?search=${tag}&limit=2&page=1`, {
        token: adminToken,
      });
      expect(page1.status).toBe(200);
      expect(page1.headers.get('cache-control')).toBe('no-store');
      expect(page1.body).toMatchObject({ total: 3, page: 1, limit: 2 });
      expect(page1.body.items).toHaveLength(2);
      const page2 = await t.api.get(`/admin/users?search=${tag}&limit=2&page=2`, {
        token: adminToken,
      });
      expect(page2.body.items).toHaveLength(1);
      const ids = [...page1.body.items, ...page2.body.items]
        .map((u: { id: string }) => u.id)
        .sort();
      expect(ids).toEqual(found.map((u) => u.id).sort());

      const editors = await t.api.get(`/admin/users?search=${tag}&role=editor`, {
        token: adminToken,
      });
      expect(editors.body.items.map((u: { id: string }) => u.id)).toEqual([found[0].id]);
      const inactive = await t.api.get(`/admin/users?search=${tag}&is_active=false`, {
        token: adminToken,
      });
      expect(inactive.body.items.map((u: { id: string }) => u.id)).toEqual([found[2].id]);
    });

    it('treats search wildcards literally and refuses bad query values', async () => {
      const wildcard = await t.api.get('/admin/users?search=%25', { token: adminToken });
      expect(wildcard.status).toBe(200);
      expect(wildcard.body.total).toBe(0);
      for (const query of [
        'limit=0',
        'limit=101',
        'page=abc',
        'role=root',
        'is_active=maybe',
        'unknown=1',
      ]) {
        const response = await t.api.get(`/admin/users?${query}`, { token: adminToken });
        expect({ query, status: response.status }).toEqual({ query, status: 400 });
      }
    });
  });

  describe('GET and PATCH /admin/users/{id}', () => {
    it('gets one user, and a malformed or unknown id is a 404', async () => {
      const user = await registerUser(t.api);
      const response = await t.api.get(`/admin/users/${user.id}`, { token: adminToken });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ id: user.id, username: user.username });
      expect((await t.api.get('/admin/users/not-a-uuid', { token: adminToken })).status).toBe(404);
      expect(
        (
          await t.api.get('/admin/users/00000000-0000-4000-8000-000000000000', {
            token: adminToken,
          })
        ).status,
      ).toBe(404);
    });

    it('changes roles, extra permissions and full name; effective permissions follow', async () => {
      const user = await registerUser(t.api);
      const response = await t.api.patch(`/admin/users/${user.id}`, {
        token: adminToken,
        json: { roles: ['viewer'], permissions: ['read:users'], full_name: 'Renamed' },
      });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        roles: ['viewer'],
        permissions: ['read:items', 'read:users'],
        full_name: 'Renamed',
      });
    });

    it('refuses unknown roles and permissions, and unknown fields', async () => {
      const user = await registerUser(t.api);
      for (const json of [
        { roles: ['root'] },
        { permissions: ['do:anything'] },
        { email: 'x@example.com' },
        { roles: 'admin' },
      ]) {
        const response = await t.api.patch(`/admin/users/${user.id}`, { token: adminToken, json });
        expect({ json, status: response.status }).toEqual({ json, status: 400 });
      }
    });

    it('refuses null for a field that cannot be null, and changes nothing', async () => {
      const user = await registerUser(t.api);
      const before = await t.api.get(`/admin/users/${user.id}`, { token: adminToken });
      // Found by the fuzzer (seed 588337320): `is_active: null` reached the NOT NULL column as a 500.
      for (const json of [
        { is_active: null },
        { roles: null },
        { permissions: null },
        { permissions: [], is_active: null },
      ]) {
        const response = await t.api.patch(`/admin/users/${user.id}`, { token: adminToken, json });
        expect({ json, status: response.status, code: response.body.code }).toEqual({
          json,
          status: 400,
          code: 'VALIDATION_FAILED',
        });
      }
      const after = await t.api.get(`/admin/users/${user.id}`, { token: adminToken });
      expect(after.body).toEqual(before.body);
      // null stays the way to clear the full name.
      const cleared = await t.api.patch(`/admin/users/${user.id}`, {
        token: adminToken,
        json: { full_name: null },
      });
      expect(cleared.status).toBe(200);
      expect(cleared.body.full_name).toBeNull();
    });

    it('lets nobody grant a role above their own, nor a permission they do not hold', async () => {
      const moderator = await registerUser(t.api);
      await setRoles(db, moderator, ['moderator'], ['write:users']);
      const token = (await login(t.api, moderator)).access_token;
      const target = await registerUser(t.api);
      const tooHigh = await t.api.patch(`/admin/users/${target.id}`, {
        token,
        json: { roles: ['admin'] },
      });
      expect(tooHigh.status).toBe(403);
      const notHeld = await t.api.patch(`/admin/users/${target.id}`, {
        token,
        json: { permissions: ['delete:users'] },
      });
      expect(notHeld.status).toBe(403);
      const ok = await t.api.patch(`/admin/users/${target.id}`, {
        token,
        json: { roles: ['editor'] },
      });
      expect(ok.status).toBe(200);
      // Nor manage someone above them.
      const onAdmin = await t.api.patch(`/admin/users/${admin.id}`, {
        token,
        json: { full_name: 'x' },
      });
      expect(onAdmin.status).toBe(403);
      const { rows } = await db.query('SELECT roles FROM users WHERE id = $1', [target.id]);
      expect(rows[0].roles).toEqual(['editor']);
    });
  });

  describe('fresh authority: a change takes effect on the very next request', () => {
    it('a demoted admin’s still-valid token is refused admin routes at once', async () => {
      const other = await registerUser(t.api);
      await setRoles(db, other, ['admin']);
      const token = (await login(t.api, other)).access_token;
      expect((await t.api.get('/admin/users', { token })).status).toBe(200);
      const demote = await t.api.patch(`/admin/users/${other.id}`, {
        token: adminToken,
        json: { roles: ['user'] },
      });
      expect(demote.status).toBe(200);
      expect((await t.api.get('/admin/users', { token })).status).toBe(403);
      expect((await t.api.get('/api/admin', { token })).status).toBe(403);
    });

    it('a change made straight in the database (another instance, a script) is seen at once too', async () => {
      const other = await registerUser(t.api);
      await setRoles(db, other, ['admin']);
      const token = (await login(t.api, other)).access_token;
      expect((await t.api.get('/api/admin', { token })).status).toBe(200);
      await setRoles(db, other, ['user']);
      const { status } = await afterNotification(
        () => t.api.get('/api/admin', { token }),
        (answer) => answer.status === 200,
      );
      expect(status).toBe(403);
    });

    it('disabling a user refuses their token on the next request and ends their sessions', async () => {
      const user = await registerUser(t.api);
      const tokens = await login(t.api, user);
      expect((await t.api.get('/users/me', { token: tokens.access_token })).status).toBe(200);
      const disable = await t.api.patch(`/admin/users/${user.id}`, {
        token: adminToken,
        json: { is_active: false },
      });
      expect(disable.status).toBe(200);
      expect(disable.body.is_active).toBe(false);
      expect((await t.api.get('/users/me', { token: tokens.access_token })).status).toBe(401);
      const { rows } = await db.query(
        'SELECT count(*)::int AS open FROM sessions WHERE user_id = $1 AND revoked_at IS NULL',
        [user.id],
      );
      expect(rows[0].open).toBe(0);
      // Re-enabled, the old session stays ended: the user logs in again.
      await t.api.patch(`/admin/users/${user.id}`, {
        token: adminToken,
        json: { is_active: true },
      });
      const refresh = await t.api.post('/auth/refresh', {
        json: { refresh_token: tokens.refresh_token },
      });
      expect(refresh.status).toBe(401);
    });

    it('a deleted user’s token is refused on the next request; their sessions are gone', async () => {
      const user = await registerUser(t.api);
      const tokens = await login(t.api, user);
      const response = await t.api.request('DELETE', `/admin/users/${user.id}`, {
        token: adminToken,
      });
      expect(response.status).toBe(204);
      expect((await t.api.get('/users/me', { token: tokens.access_token })).status).toBe(401);
      const { rows } = await db.query(
        'SELECT count(*)::int AS n FROM sessions WHERE user_id = $1',
        [user.id],
      );
      expect(rows[0].n).toBe(0);
    });

    it('a second app instance on the same database sees a role change within a second', async () => {
      const second = await startInstance(t.database.url);
      try {
        const other = await registerUser(t.api);
        await setRoles(db, other, ['admin']);
        const token = (await login(t.api, other)).access_token;
        expect((await second.api.get('/api/admin', { token })).status).toBe(200); // now cached on the second
        const demote = await t.api.patch(`/admin/users/${other.id}`, {
          token: adminToken,
          json: { roles: ['user'] },
        });
        expect(demote.status).toBe(200);
        const deadline = Date.now() + 1000;
        let status = 200;
        while (Date.now() < deadline && status === 200) {
          status = (await second.api.get('/api/admin', { token })).status;
          if (status === 200) await new Promise((resolve) => setTimeout(resolve, 20));
        }
        expect(status).toBe(403);
      } finally {
        await second.stop();
      }
    });
  });

  describe('DELETE /admin/users/{id}/sessions', () => {
    it('ends every session of the user at once; an unknown user is a 404', async () => {
      const user = await registerUser(t.api);
      const sessions = [await login(t.api, user), await login(t.api, user)];
      const response = await t.api.request('DELETE', `/admin/users/${user.id}/sessions`, {
        token: adminToken,
      });
      expect(response.status).toBe(204);
      for (const tokens of sessions) {
        expect((await t.api.get('/users/me', { token: tokens.access_token })).status).toBe(401);
      }
      const missing = await t.api.request(
        'DELETE',
        '/admin/users/00000000-0000-4000-8000-000000000000/sessions',
        {
          token: adminToken,
        },
      );
      expect(missing.status).toBe(404);
    });
  });

  describe('the last active admin', () => {
    it('cannot be demoted, disabled or deleted; with another admin it can', async () => {
      const fresh = await startTestApp();
      const freshDb = new pg.Client({ connectionString: fresh.database.url });
      await freshDb.connect();
      try {
        const only = await registerUser(fresh.api);
        await freshDb.query(`UPDATE users SET roles = '{admin}' WHERE id = $1`, [only.id]);
        const token = (await login(fresh.api, only)).access_token;
        for (const json of [{ roles: ['moderator'] }, { is_active: false }]) {
          const response = await fresh.api.patch(`/admin/users/${only.id}`, { token, json });
          expect(response.status).toBe(409);
          expect(response.body.code).toBe('LAST_ADMIN');
        }
        expect(
          (await fresh.api.request('DELETE', `/admin/users/${only.id}`, { token })).status,
        ).toBe(409);

        const second = await registerUser(fresh.api);
        await freshDb.query(`UPDATE users SET roles = '{admin}' WHERE id = $1`, [second.id]);
        const secondToken = (await login(fresh.api, second)).access_token;
        // Both demote each other at once: the lock lets exactly one through; the other is refused
        // (409, or 403 when its author was already demoted by the time it ran).
        const [a, b] = await Promise.all([
          fresh.api.patch(`/admin/users/${second.id}`, { token, json: { roles: ['user'] } }),
          fresh.api.patch(`/admin/users/${only.id}`, {
            token: secondToken,
            json: { roles: ['user'] },
          }),
        ]);
        expect([a.status, b.status].filter((s) => s === 200)).toHaveLength(1);
        expect([a.status, b.status].filter((s) => s === 403 || s === 409)).toHaveLength(1);
        const { rows } = await freshDb.query(
          `SELECT count(*)::int AS n FROM users WHERE 'admin' = ANY(roles) AND is_active`,
        );
        expect(rows[0].n).toBe(1);
      } finally {
        await freshDb.end();
        await fresh.close();
      }
    });
  });
});
