import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { startTestApp, type TestApp } from './app.js';
import { login, passwordGrant, registerUser, type TestUser } from './factories.js';
import { decodeJwt } from './jwt.js';

describe('OAuth2 token endpoint and refresh-token rotation', () => {
  let t: TestApp;
  let db: pg.Client;
  let alice: TestUser;

  beforeAll(async () => {
    t = await startTestApp();
    db = new pg.Client({ connectionString: t.database.url });
    await db.connect();
    alice = await registerUser(t.api);
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  function expectOAuthError(
    response: { status: number; body: any; headers: Headers },
    error: string,
  ) {
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error, error_description: expect.any(String) });
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('pragma')).toBe('no-cache');
  }

  describe('password grant', () => {
    it('answers the RFC 6749 token response, uncacheable, with strict claims', async () => {
      const response = await passwordGrant(t.api, alice);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('pragma')).toBe('no-cache');
      expect(response.body).toEqual({
        access_token: expect.any(String),
        token_type: 'bearer',
        expires_in: 900,
        refresh_token: expect.any(String),
        scope: 'read:items write:items delete:items',
      });
      const claims = decodeJwt(response.body.access_token);
      expect(claims).toMatchObject({
        sub: alice.id,
        iss: 'gatehouse',
        aud: 'gatehouse-api',
        typ: 'access',
        scope: 'read:items write:items delete:items',
        roles: ['user'],
        jti: expect.any(String),
        sid: expect.any(String),
      });
      expect(claims.exp - claims.iat).toBe(900);
      expect(decodeJwt(response.body.refresh_token)).toMatchObject({
        typ: 'refresh',
        sub: alice.id,
        sid: claims.sid,
      });
    });

    it('accepts the email instead of the username, in any case', async () => {
      const response = await passwordGrant(t.api, {
        username: alice.email.toUpperCase(),
        password: alice.password,
      });
      expect(response.status).toBe(200);
    });

    it('treats a missing grant_type with username and password as a password grant (tutorial clients)', async () => {
      const response = await t.api.post('/auth/token', {
        form: { username: alice.username, password: alice.password },
      });
      expect(response.status).toBe(200);
      expect(response.body.token_type).toBe('bearer');
    });

    it('opens a session row that stores only a hash of the refresh token', async () => {
      const tokens = await login(t.api, alice);
      const sid = decodeJwt(tokens.access_token).sid;
      const { rows } = await db.query('SELECT * FROM sessions WHERE id = $1', [sid]);
      expect(rows).toHaveLength(1);
      expect(rows[0].user_id).toBe(alice.id);
      expect(rows[0].refresh_token_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(rows[0])).not.toContain(tokens.refresh_token);
      const lifetime =
        new Date(rows[0].expires_at).getTime() - new Date(rows[0].created_at).getTime();
      expect(Math.round(lifetime / 86_400_000)).toBe(7);
    });

    it('narrows the scope on request and refuses a scope the user does not hold', async () => {
      const narrowed = await passwordGrant(t.api, alice, 'read:items');
      expect(narrowed.status).toBe(200);
      expect(narrowed.body.scope).toBe('read:items');
      expect(decodeJwt(narrowed.body.access_token).scope).toBe('read:items');
      expectOAuthError(
        await passwordGrant(t.api, alice, 'read:items write:users'),
        'invalid_scope',
      );
      expectOAuthError(await passwordGrant(t.api, alice, 'bad"scope'), 'invalid_scope');
    });

    it('gives one identical answer for a wrong password, an unknown user and a disabled user', async () => {
      const disabled = await registerUser(t.api);
      await db.query('UPDATE users SET is_active = false WHERE id = $1', [disabled.id]);
      const answers = await Promise.all([
        passwordGrant(t.api, { username: alice.username, password: 'wrong password' }),
        passwordGrant(t.api, { username: `nobody-${randomUUID()}`, password: 'whatever123' }),
        passwordGrant(t.api, disabled),
      ]);
      for (const answer of answers) expectOAuthError(answer, 'invalid_grant');
      expect(new Set(answers.map((a) => a.text)).size).toBe(1);
    });
  });

  describe('RFC 6749 §5.2 errors', () => {
    it.each([
      ['no grant_type and no credentials', { scope: 'read:items' }, 'invalid_request'],
      [
        'a password grant without password',
        { grant_type: 'password', username: 'x' },
        'invalid_request',
      ],
      [
        'a password grant without username',
        { grant_type: 'password', password: 'x' },
        'invalid_request',
      ],
      [
        'a repeated parameter',
        { grant_type: 'password', username: ['a', 'b'], password: 'x' },
        'invalid_request',
      ],
      ['a refresh grant without refresh_token', { grant_type: 'refresh_token' }, 'invalid_request'],
      ['an unknown grant type', { grant_type: 'authorization_code' }, 'unsupported_grant_type'],
      [
        'a forged refresh token',
        { grant_type: 'refresh_token', refresh_token: 'not.a.token' },
        'invalid_grant',
      ],
    ])('%s', async (_name, form, error) => {
      expectOAuthError(
        await t.api.post('/auth/token', { form: form as Record<string, string> }),
        error,
      );
    });

    it('refuses a JSON body: the token endpoint takes form encoding', async () => {
      const response = await t.api.post('/auth/token', {
        json: { grant_type: 'password', username: alice.username, password: alice.password },
      });
      expectOAuthError(response, 'invalid_request');
    });
  });

  describe('refresh grant', () => {
    it('rotates: the new pair works, the old refresh token is refused', async () => {
      const first = await login(t.api, alice);
      const second = await t.api.post('/auth/token', {
        form: { grant_type: 'refresh_token', refresh_token: first.refresh_token },
      });
      expect(second.status).toBe(200);
      expect(second.headers.get('cache-control')).toBe('no-store');
      expect(second.body.refresh_token).not.toBe(first.refresh_token);
      expect(decodeJwt(second.body.access_token).sid).toBe(decodeJwt(first.access_token).sid);
      expect((await t.api.get('/users/me', { token: second.body.access_token })).status).toBe(200);

      const replay = await t.api.post('/auth/token', {
        form: { grant_type: 'refresh_token', refresh_token: first.refresh_token },
      });
      expectOAuthError(replay, 'invalid_grant');
    });

    it('treats reuse of a rotated token as theft: the newest token of that session stops working too', async () => {
      const first = await login(t.api, alice);
      const second = await t.api.post('/auth/refresh', {
        json: { refresh_token: first.refresh_token },
      });
      expect(second.status).toBe(200);
      const reuse = await t.api.post('/auth/refresh', {
        json: { refresh_token: first.refresh_token },
      });
      expect(reuse.status).toBe(401);
      const newest = await t.api.post('/auth/refresh', {
        json: { refresh_token: second.body.refresh_token },
      });
      expect(newest.status).toBe(401);
      const { rows } = await db.query('SELECT revoked_at FROM sessions WHERE id = $1', [
        decodeJwt(first.access_token).sid,
      ]);
      expect(rows[0].revoked_at).not.toBeNull();
      const events = await db.query(
        `SELECT user_id FROM security_events WHERE type = 'refresh_token.reused' AND session_id = $1`,
        [decodeJwt(first.access_token).sid],
      );
      expect(events.rows).toEqual([{ user_id: alice.id }]);
    });

    it('lets exactly one of several simultaneous refreshes with the same token succeed, run after run', async () => {
      for (let run = 0; run < 25; run++) {
        const tokens = await login(t.api, alice);
        const responses = await Promise.all(
          Array.from({ length: 6 }, () =>
            t.api.post('/auth/token', {
              form: { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
            }),
          ),
        );
        const statuses = responses.map((r) => r.status).sort();
        expect({ run, statuses }).toEqual({ run, statuses: [200, 400, 400, 400, 400, 400] });
      }
    });

    it('may narrow the scope but never widen it beyond the original grant', async () => {
      const narrow = (await passwordGrant(t.api, alice, 'read:items write:items')).body;
      const narrower = await t.api.post('/auth/token', {
        form: {
          grant_type: 'refresh_token',
          refresh_token: narrow.refresh_token,
          scope: 'read:items',
        },
      });
      expect(narrower.status).toBe(200);
      expect(narrower.body.scope).toBe('read:items');
      const wider = await t.api.post('/auth/token', {
        form: {
          grant_type: 'refresh_token',
          refresh_token: narrower.body.refresh_token,
          scope: 'delete:items',
        },
      });
      expectOAuthError(wider, 'invalid_scope');
      // Without a scope, the refresh gets the original grant back, not more.
      const again = await t.api.post('/auth/token', {
        form: { grant_type: 'refresh_token', refresh_token: narrower.body.refresh_token },
      });
      expect(again.status).toBe(200);
      expect(again.body.scope).toBe('read:items write:items');
    });

    it('refuses an access token used as a refresh token', async () => {
      const tokens = await login(t.api, alice);
      expectOAuthError(
        await t.api.post('/auth/token', {
          form: { grant_type: 'refresh_token', refresh_token: tokens.access_token },
        }),
        'invalid_grant',
      );
    });

    it('refuses the refresh of a user disabled since login', async () => {
      const bob = await registerUser(t.api);
      const tokens = await login(t.api, bob);
      await db.query('UPDATE users SET is_active = false WHERE id = $1', [bob.id]);
      const response = await t.api.post('/auth/refresh', {
        json: { refresh_token: tokens.refresh_token },
      });
      expect(response.status).toBe(401);
      expect(response.body.code).toBe('INVALID_REFRESH_TOKEN');
    });

    it('ends with the session: an expired session refuses its refresh token', async () => {
      const tokens = await login(t.api, alice);
      await db.query(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [
        decodeJwt(tokens.access_token).sid,
      ]);
      expectOAuthError(
        await t.api.post('/auth/token', {
          form: { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
        }),
        'invalid_grant',
      );
    });
  });

  describe('POST /auth/refresh (tutorial path)', () => {
    it('takes the token in a JSON body or, for old clients, in the query string', async () => {
      const first = await login(t.api, alice);
      const byBody = await t.api.post('/auth/refresh', {
        json: { refresh_token: first.refresh_token },
      });
      expect(byBody.status).toBe(200);
      expect(byBody.headers.get('cache-control')).toBe('no-store');
      const byQuery = await t.api.post(
        `/auth/refresh?refresh_token=${encodeURIComponent(byBody.body.refresh_token)}`,
      );
      expect(byQuery.status).toBe(200);
      expect(byQuery.body.token_type).toBe('bearer');
    });

    it('answers 401 INVALID_REFRESH_TOKEN problem details for a bad token, 400 for none', async () => {
      const bad = await t.api.post('/auth/refresh', { json: { refresh_token: 'garbage' } });
      expect(bad.status).toBe(401);
      expect(bad.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(bad.body).toMatchObject({ code: 'INVALID_REFRESH_TOKEN', status: 401 });
      const none = await t.api.post('/auth/refresh', { json: {} });
      expect(none.status).toBe(400);
      expect(none.body.code).toBe('VALIDATION_FAILED');
      const unknown = await t.api.post('/auth/refresh', { json: { refresh_token: 'x', extra: 1 } });
      expect(unknown.status).toBe(400);
    });
  });

  describe('POST /auth/login (tutorial path)', () => {
    it('accepts form and JSON bodies and answers like the token endpoint', async () => {
      const form = await t.api.post('/auth/login', {
        form: { username: alice.username, password: alice.password },
      });
      expect(form.status).toBe(200);
      expect(form.headers.get('cache-control')).toBe('no-store');
      expect(form.body).toMatchObject({ token_type: 'bearer', expires_in: 900 });
      const json = await t.api.post('/auth/login', {
        json: { username: alice.email, password: alice.password, scope: 'read:items' },
      });
      expect(json.status).toBe(200);
      expect(json.body.scope).toBe('read:items');
    });

    it('fails like the token endpoint', async () => {
      expectOAuthError(
        await t.api.post('/auth/login', {
          json: { username: alice.username, password: 'nope-nope' },
        }),
        'invalid_grant',
      );
      expectOAuthError(
        await t.api.post('/auth/login', { json: { username: alice.username } }),
        'invalid_request',
      );
      expectOAuthError(
        await t.api.post('/auth/login', { json: { username: alice.username, password: 42 } }),
        'invalid_request',
      );
    });
  });
});
