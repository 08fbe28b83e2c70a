import { readFileSync } from 'node:fs';
import pg from 'pg';
import { startTestApp, type TestApp } from './app.js';
import { createTestDatabase, dropTestDatabase } from './database.js';
import { login, passwordGrant, registerUser } from './factories.js';

const fixtures: Array<{ scheme: string; password: string; hash: string }> = JSON.parse(
  readFileSync(new URL('./fixtures/passlib-hashes.json', import.meta.url), 'utf8'),
).hashes;

describe('users', () => {
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

  describe('GET /users/me, GET /auth/me', () => {
    it('return the caller, uncacheable, on both paths', async () => {
      const user = await registerUser(t.api);
      const { access_token } = await login(t.api, user);
      for (const path of ['/users/me', '/auth/me']) {
        const response = await t.api.get(path, { token: access_token });
        expect(response.status).toBe(200);
        expect(response.headers.get('cache-control')).toBe('no-store');
        expect(response.headers.get('pragma')).toBe('no-cache');
        expect(response.body).toMatchObject({
          id: user.id,
          email: user.email,
          username: user.username,
          roles: ['user'],
        });
        expect(Object.keys(response.body).sort()).toEqual([
          'created_at',
          'email',
          'email_verified',
          'full_name',
          'id',
          'is_active',
          'permissions',
          'roles',
          'two_factor_enabled',
          'username',
        ]);
      }
    });
  });

  describe('PATCH /users/me', () => {
    it('changes full_name and nothing else', async () => {
      const user = await registerUser(t.api);
      const { access_token } = await login(t.api, user);
      const response = await t.api.patch('/users/me', {
        token: access_token,
        json: { full_name: 'Grace Hopper' },
      });
      expect(response.status).toBe(200);
      expect(response.body.full_name).toBe('Grace Hopper');
      expect((await t.api.get('/users/me', { token: access_token })).body.full_name).toBe(
        'Grace Hopper',
      );
    });

    it.each([
      ['roles', { roles: ['admin'] }],
      ['permissions', { permissions: ['write:users'] }],
      ['is_active', { is_active: true }],
      ['email', { email: 'new@example.com' }],
      ['id', { id: '00000000-0000-4000-8000-000000000000' }],
      ['a wrong type', { full_name: 42 }],
    ])('refuses %s with a 400 and changes nothing', async (field, body) => {
      const user = await registerUser(t.api);
      const { access_token } = await login(t.api, user);
      const response = await t.api.patch('/users/me', { token: access_token, json: body });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
      const { rows } = await db.query(
        'SELECT roles, permissions, email, full_name FROM users WHERE id = $1',
        [user.id],
      );
      expect(rows[0]).toEqual({
        roles: ['user'],
        permissions: [],
        email: user.email,
        full_name: null,
      });
      expect(field).toBeTruthy();
    });

    it('refuses prototype-pollution keys', async () => {
      const user = await registerUser(t.api);
      const { access_token } = await login(t.api, user);
      const response = await t.api.patch('/users/me', {
        token: access_token,
        raw: '{"__proto__":{"roles":["admin"]},"full_name":"x"}',
        headers: { 'content-type': 'application/json' },
      });
      expect(response.status).toBe(400);
      expect((await t.api.get('/users/me', { token: access_token })).body.roles).toEqual(['user']);
    });
  });

  describe('passwords from the original tutorial (passlib)', () => {
    it.each(fixtures.map((f) => [f.scheme, f]))(
      '%s: logs in and upgrades the hash',
      async (_scheme, fixture) => {
        const username = `legacy_${Math.random().toString(36).slice(2, 10)}`;
        await db.query(`INSERT INTO users (email, username, password_hash) VALUES ($1, $2, $3)`, [
          `${username}@example.com`,
          username,
          fixture.hash,
        ]);
        const first = await passwordGrant(t.api, { username, password: fixture.password });
        expect(first.status).toBe(200);
        const { rows } = await db.query('SELECT password_hash FROM users WHERE username = $1', [
          username,
        ]);
        expect(rows[0].password_hash).toMatch(/^\$bcrypt-sha256\$v=2,t=2b,r=4\$/);
        expect(rows[0].password_hash).not.toBe(fixture.hash);
        // The upgraded hash keeps working, and a wrong password still fails.
        expect((await passwordGrant(t.api, { username, password: fixture.password })).status).toBe(
          200,
        );
        expect(
          (await passwordGrant(t.api, { username, password: `${fixture.password}x` })).status,
        ).toBe(400);
      },
    );

    it('after the upgrade, a password that matches only in its first 72 bytes no longer logs in', async () => {
      const legacy = fixtures.find((f) => f.hash.startsWith('$2b$') && f.password.length > 72)!;
      const username = 'legacy_long_password';
      await db.query(`INSERT INTO users (email, username, password_hash) VALUES ($1, $2, $3)`, [
        `${username}@example.com`,
        username,
        legacy.hash,
      ]);
      expect((await passwordGrant(t.api, { username, password: legacy.password })).status).toBe(
        200,
      );
      const truncatedTwin = `${'A'.repeat(72)}Y`;
      expect((await passwordGrant(t.api, { username, password: truncatedTwin })).status).toBe(400);
    });

    it('never lets two passwords that differ only after byte 72 both log in (new accounts)', async () => {
      const prefix = 'B'.repeat(72);
      const user = await registerUser(t.api, { password: `${prefix}1` });
      expect(
        (await passwordGrant(t.api, { username: user.username, password: `${prefix}1` })).status,
      ).toBe(200);
      expect(
        (await passwordGrant(t.api, { username: user.username, password: `${prefix}2` })).status,
      ).toBe(400);
    });
  });
});

describe('bootstrap admin from ADMIN_EMAIL / ADMIN_USERNAME / ADMIN_PASSWORD', () => {
  it('exists after start-up, and a restart with other values does not overwrite it', async () => {
    const database = await createTestDatabase();
    const env = {
      ADMIN_EMAIL: 'root@example.com',
      ADMIN_USERNAME: 'root',
      ADMIN_PASSWORD: 'first admin password',
    };
    const first = await startTestApp({ database, env });
    try {
      const tokens = await login(first.api, { username: 'root', password: 'first admin password' });
      const me = await first.api.get('/users/me', { token: tokens.access_token });
      expect(me.body).toMatchObject({
        email: 'root@example.com',
        username: 'root',
        roles: ['admin'],
      });
      expect(me.body.permissions).toEqual(expect.arrayContaining(['write:users', 'read:audit']));
    } finally {
      await first.close();
    }
    const second = await startTestApp({
      database,
      env: { ...env, ADMIN_PASSWORD: 'a different password' },
    });
    try {
      expect(
        (await passwordGrant(second.api, { username: 'root', password: 'a different password' }))
          .status,
      ).toBe(400);
      expect(
        (await passwordGrant(second.api, { username: 'root', password: 'first admin password' }))
          .status,
      ).toBe(200);
    } finally {
      await second.close();
      for (const key of Object.keys(env)) delete process.env[key];
      await dropTestDatabase(database.name);
    }
  });
});
