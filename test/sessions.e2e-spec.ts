import pg from 'pg';
import { startTestApp, type TestApp } from './app.js';
import { startInstance } from './instance.js';
import { login, registerUser, type TestUser } from './factories.js';
import { decodeJwt } from './jwt.js';

describe('sessions and revocation', () => {
  let t: TestApp;
  let db: pg.Client;
  let user: TestUser;

  beforeAll(async () => {
    t = await startTestApp();
    db = new pg.Client({ connectionString: t.database.url });
    await db.connect();
    user = await registerUser(t.api);
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  const me = (token: string) => t.api.get('/users/me', { token });
  const refresh = (token: string) =>
    t.api.post('/auth/refresh', { json: { refresh_token: token } });
  const revoke = (form: Record<string, string>, headers?: Record<string, string>) =>
    t.api.post('/auth/revoke', { form, headers });

  it('logout ends the session: its access and refresh tokens stop working at once', async () => {
    const tokens = await login(t.api, user);
    const other = await login(t.api, user);
    expect((await me(tokens.access_token)).status).toBe(200);
    const logout = await t.api.post('/auth/logout', { token: tokens.access_token });
    expect(logout.status).toBe(204);
    expect((await me(tokens.access_token)).status).toBe(401);
    expect((await refresh(tokens.refresh_token)).status).toBe(401);
    // Another session of the same user is untouched.
    expect((await me(other.access_token)).status).toBe(200);
  });

  describe('POST /auth/revoke (RFC 7009)', () => {
    it('a refresh token ends its session, access token included', async () => {
      const tokens = await login(t.api, user);
      const response = await revoke({
        token: tokens.refresh_token,
        token_type_hint: 'refresh_token',
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect((await refresh(tokens.refresh_token)).status).toBe(401);
      expect((await me(tokens.access_token)).status).toBe(401);
    });

    it('an access token stops working at once, whatever the hint', async () => {
      const tokens = await login(t.api, user);
      expect(
        (await revoke({ token: tokens.access_token, token_type_hint: 'refresh_token' })).status,
      ).toBe(200);
      expect((await me(tokens.access_token)).status).toBe(401);
    });

    it('answers 200 for unknown or garbage tokens, and revokes nothing', async () => {
      const tokens = await login(t.api, user);
      for (const token of ['garbage', 'a.b.c', tokens.access_token.slice(0, -2) + 'xx']) {
        expect((await revoke({ token })).status).toBe(200);
      }
      expect((await me(tokens.access_token)).status).toBe(200);
    });

    it('answers invalid_request without a token or with a JSON body', async () => {
      const none = await revoke({});
      expect(none.status).toBe(400);
      expect(none.body.error).toBe('invalid_request');
      const json = await t.api.post('/auth/revoke', { json: { token: 'x' } });
      expect(json.status).toBe(400);
    });
  });

  describe('/auth/sessions', () => {
    it('lists the caller’s active sessions with the current one marked, and nobody else’s', async () => {
      const alice = await registerUser(t.api);
      const first = await login(t.api, alice);
      const second = await t.api.post('/auth/token', {
        form: { grant_type: 'password', username: alice.username, password: alice.password },
        headers: { 'user-agent': 'gatehouse-test/2.0' },
      });
      await login(t.api, user); // someone else's session
      const response = await t.api.get('/auth/sessions', { token: second.body.access_token });
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.body).toHaveLength(2);
      const current = response.body.find((s: { current: boolean }) => s.current);
      expect(current).toMatchObject({
        id: decodeJwt(second.body.access_token).sid,
        user_agent: 'gatehouse-test/2.0',
        ip: expect.stringMatching(/127\.0\.0\.1/),
        created_at: expect.any(String),
        last_used_at: expect.any(String),
      });
      expect(response.body.map((s: { id: string }) => s.id)).toContain(
        decodeJwt(first.access_token).sid,
      );
    });

    it('DELETE /auth/sessions/{id} ends one of yours; another user’s is a 404 and stays open', async () => {
      const alice = await registerUser(t.api);
      const a1 = await login(t.api, alice);
      const a2 = await login(t.api, alice);
      const bob = await login(t.api, user);
      const ended = await t.api.request(
        'DELETE',
        `/auth/sessions/${decodeJwt(a2.access_token).sid}`,
        {
          token: a1.access_token,
        },
      );
      expect(ended.status).toBe(204);
      expect((await me(a2.access_token)).status).toBe(401);
      expect((await me(a1.access_token)).status).toBe(200);
      const foreign = await t.api.request(
        'DELETE',
        `/auth/sessions/${decodeJwt(bob.access_token).sid}`,
        {
          token: a1.access_token,
        },
      );
      expect(foreign.status).toBe(404);
      expect((await me(bob.access_token)).status).toBe(200);
      expect(
        (await t.api.request('DELETE', '/auth/sessions/not-a-uuid', { token: a1.access_token }))
          .status,
      ).toBe(404);
    });

    it('DELETE /auth/sessions ends all but the current one', async () => {
      const alice = await registerUser(t.api);
      const others = [await login(t.api, alice), await login(t.api, alice)];
      const current = await login(t.api, alice);
      expect(
        (await t.api.request('DELETE', '/auth/sessions', { token: current.access_token })).status,
      ).toBe(204);
      for (const other of others) {
        expect((await me(other.access_token)).status).toBe(401);
        expect((await refresh(other.refresh_token)).status).toBe(401);
      }
      expect((await me(current.access_token)).status).toBe(200);
      expect(
        (await t.api.get('/auth/sessions', { token: current.access_token })).body,
      ).toHaveLength(1);
    });
  });

  describe('POST /auth/password/change', () => {
    it('needs the current password, then ends the other sessions and keeps this one', async () => {
      const alice = await registerUser(t.api);
      const other = await login(t.api, alice);
      const current = await login(t.api, alice);
      const wrong = await t.api.post('/auth/password/change', {
        token: current.access_token,
        json: { current_password: 'not it at all', new_password: 'a brand new passphrase' },
      });
      expect(wrong.status).toBe(400);
      expect(wrong.body.code).toBe('INVALID_CREDENTIALS');
      expect((await me(other.access_token)).status).toBe(200);

      const short = await t.api.post('/auth/password/change', {
        token: current.access_token,
        json: { current_password: alice.password, new_password: 'short' },
      });
      expect(short.status).toBe(400);
      expect(short.body.errors[0].field).toBe('new_password');

      const changed = await t.api.post('/auth/password/change', {
        token: current.access_token,
        json: { current_password: alice.password, new_password: 'a brand new passphrase' },
      });
      expect(changed.status).toBe(204);
      expect((await me(other.access_token)).status).toBe(401);
      expect((await refresh(other.refresh_token)).status).toBe(401);
      expect((await me(current.access_token)).status).toBe(200);
      expect(
        (await login(t.api, { username: alice.username, password: 'a brand new passphrase' }))
          .token_type,
      ).toBe('bearer');
      const old = await t.api.post('/auth/token', {
        form: { grant_type: 'password', username: alice.username, password: alice.password },
      });
      expect(old.status).toBe(400);
    });
  });

  describe('across instances', () => {
    it('a token revoked through one instance is refused by a second within a second', async () => {
      const second = await startInstance(t.database.url);
      try {
        const tokens = await login(t.api, user);
        expect((await second.api.get('/users/me', { token: tokens.access_token })).status).toBe(
          200,
        );
        const started = Date.now();
        expect((await t.api.post('/auth/logout', { token: tokens.access_token })).status).toBe(204);
        let status = 200;
        while (status === 200 && Date.now() - started < 1000) {
          status = (await second.api.get('/users/me', { token: tokens.access_token })).status;
          if (status === 200) await new Promise((resolve) => setTimeout(resolve, 10));
        }
        expect(status).toBe(401);
        expect(Date.now() - started).toBeLessThan(1000);
      } finally {
        await second.stop();
      }
    });

    it('a new instance learns of sessions revoked before it started', async () => {
      const tokens = await login(t.api, user);
      expect((await t.api.post('/auth/logout', { token: tokens.access_token })).status).toBe(204);
      const late = await startInstance(t.database.url);
      try {
        expect((await late.api.get('/users/me', { token: tokens.access_token })).status).toBe(401);
      } finally {
        await late.stop();
      }
    });

    it('while its notification connection is down, an instance asks the database instead', async () => {
      const tokens = await login(t.api, user);
      await db.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'gatehouse-listener' AND datname = current_database()`,
      );
      // Revoked behind the instance's back: no NOTIFY can reach it right now.
      await db.query('UPDATE sessions SET revoked_at = now() WHERE id = $1', [
        decodeJwt(tokens.access_token).sid,
      ]);
      expect((await me(tokens.access_token)).status).toBe(401);
      // And it reconnects by itself.
      const fresh = await login(t.api, user);
      await new Promise((resolve) => setTimeout(resolve, 800));
      const { rows } = await db.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'gatehouse-listener' AND datname = current_database()`,
      );
      expect(rows[0].n).toBe(1);
      expect((await me(fresh.access_token)).status).toBe(200);
    });
  });
});
