import pg from 'pg';
import { TwoFactorClock } from '../src/two-factor/two-factor-clock.js';
import { startTestApp, type TestApp } from './app.js';
import { login, passwordGrant, registerUser, setRoles, type TestUser } from './factories.js';
import { RFC6238_SECRET, stepOf, totpAt } from './totp.js';

describe('two-factor authentication (TOTP)', () => {
  let t: TestApp;
  let db: pg.Client;
  let clock: TwoFactorClock;
  /** The instant the server checks codes against: 12 s into a step, so no test runs near a step's edge. */
  let now: number;

  beforeAll(async () => {
    t = await startTestApp();
    db = new pg.Client({ connectionString: t.database.url });
    await db.connect();
    clock = t.app.get(TwoFactorClock);
    clock.now = () => now;
  });
  beforeEach(() => {
    now = stepOf(Date.now()) * 30_000 + 12_000;
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  const me = (token: string) => t.api.get('/users/me', { token });
  const code = (secret: string, stepOffset = 0) => totpAt(secret, stepOf(now) + stepOffset);
  const verify = (body: Record<string, unknown>) => t.api.post('/auth/2fa/verify', { json: body });
  /** The account's failures counted against clients it does not know (docs/security.md). */
  const failuresOf = async (userId: string): Promise<number> =>
    (
      await db.query(
        `SELECT coalesce(sum(failures), 0)::int AS n FROM login_attempts WHERE account = $1 AND client = ''`,
        [userId],
      )
    ).rows[0].n;

  /** Registers a user and turns two-factor on; returns the secret and recovery codes. */
  async function enrolledUser(): Promise<{ user: TestUser; secret: string; recovery: string[] }> {
    const user = await registerUser(t.api);
    const { access_token } = await login(t.api, user);
    const setup = await t.api.post('/auth/2fa/setup', { token: access_token });
    const secret: string = setup.body.secret;
    const enable = await t.api.post('/auth/2fa/enable', {
      token: access_token,
      json: { code: code(secret) },
    });
    expect(enable.status).toBe(200);
    // The enabling code's step is spent: logins in the same test start two steps later, so that both
    // the current and the previous step are fresh.
    now += 60_000;
    return { user, secret, recovery: enable.body.recovery_codes };
  }

  async function mfaToken(user: TestUser): Promise<string> {
    const response = await passwordGrant(t.api, user);
    expect(response.status).toBe(403);
    return (response.body as unknown as { mfa_token: string }).mfa_token;
  }

  it('the tests’ own TOTP matches RFC 6238’s SHA-1 test vectors', () => {
    expect(totpAt(RFC6238_SECRET, stepOf(59_000))).toBe('287082');
    expect(totpAt(RFC6238_SECRET, stepOf(1_111_111_109_000))).toBe('081804');
  });

  describe('enrolment', () => {
    it('setup returns a 160-bit secret, its otpauth URL and a PNG QR code, and changes nothing yet', async () => {
      const user = await registerUser(t.api);
      const { access_token } = await login(t.api, user);
      const setup = await t.api.post('/auth/2fa/setup', { token: access_token });
      expect(setup.status).toBe(200);
      expect(setup.headers.get('cache-control')).toBe('no-store');
      expect(Object.keys(setup.body).sort()).toEqual(['otpauth_url', 'qr_code', 'secret']);
      expect(setup.body.secret).toMatch(/^[A-Z2-7]{32,}$/); // >= 32 base32 characters = 160 bits
      const url = new URL(setup.body.otpauth_url);
      expect(url.protocol).toBe('otpauth:');
      expect(url.host).toBe('totp');
      expect(decodeURIComponent(url.pathname)).toBe(`/Gatehouse:${user.email}`);
      expect(url.searchParams.get('secret')).toBe(setup.body.secret);
      expect(url.searchParams.get('issuer')).toBe('Gatehouse');
      expect(setup.body.qr_code).toMatch(/^data:image\/png;base64,/);
      const png = Buffer.from(setup.body.qr_code.split(',')[1], 'base64');
      expect(png.subarray(0, 8)).toEqual(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]));

      const image = await fetch(`${t.api.baseUrl}/auth/2fa/qr.png`, {
        headers: { authorization: `Bearer ${access_token}` },
      });
      expect(image.status).toBe(200);
      expect(image.headers.get('content-type')).toBe('image/png');
      expect(image.headers.get('cache-control')).toBe('no-store');
      expect(Buffer.from(await image.arrayBuffer())).toEqual(png);

      // Nothing is on until a code confirms the secret.
      expect((await me(access_token)).body.two_factor_enabled).toBe(false);
      expect((await passwordGrant(t.api, user)).status).toBe(200);
    });

    it('qr.png is 404 without a pending setup; enable without setup is 409', async () => {
      const user = await registerUser(t.api);
      const { access_token } = await login(t.api, user);
      const image = await t.api.get('/auth/2fa/qr.png', { token: access_token });
      expect(image.status).toBe(404);
      const enable = await t.api.post('/auth/2fa/enable', {
        token: access_token,
        json: { code: '123456' },
      });
      expect(enable.status).toBe(409);
      expect(enable.body.code).toBe('TWO_FACTOR_SETUP_REQUIRED');
    });

    it('enable needs a right code; then returns 10 recovery codes once and shows two_factor_enabled', async () => {
      const user = await registerUser(t.api);
      const { access_token } = await login(t.api, user);
      const { secret } = (await t.api.post('/auth/2fa/setup', { token: access_token })).body;
      const enable = (json: unknown) =>
        t.api.post('/auth/2fa/enable', { token: access_token, json });

      for (const bad of [{ code: '' }, { code: '12345' }, { code: '12345a' }, {}]) {
        const response = await enable(bad);
        expect(response.status).toBe(400);
        expect(response.body.code).toBe('VALIDATION_FAILED');
      }
      const wrong = await enable({ code: code(secret, -2) });
      expect(wrong.status).toBe(400);
      expect(wrong.body.code).toBe('INVALID_TWO_FACTOR_CODE');
      expect((await me(access_token)).body.two_factor_enabled).toBe(false);

      const ok = await enable({ code: code(secret) });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('cache-control')).toBe('no-store');
      expect(ok.body.recovery_codes).toHaveLength(10);
      expect(new Set(ok.body.recovery_codes).size).toBe(10);
      expect((await me(access_token)).body.two_factor_enabled).toBe(true);

      // Once on: no second setup, no second set of codes, and the secret is never shown again.
      const again = await t.api.post('/auth/2fa/setup', { token: access_token });
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('TWO_FACTOR_ALREADY_ENABLED');
      expect((await enable({ code: code(secret, 1) })).status).toBe(409);
      expect((await t.api.get('/auth/2fa/qr.png', { token: access_token })).status).toBe(404);
      const events = await db.query(`SELECT type FROM security_events WHERE user_id = $1`, [
        user.id,
      ]);
      expect(events.rows.map((row) => row.type)).toContain('2fa.enabled');
    });

    it('the database holds no plaintext TOTP secret or recovery code', async () => {
      const user = await registerUser(t.api);
      const { access_token } = await login(t.api, user);
      const { secret } = (await t.api.post('/auth/2fa/setup', { token: access_token })).body;
      const pending = await db.query(
        `SELECT t::text AS row FROM two_factor_credentials t WHERE user_id = $1`,
        [user.id],
      );
      expect(pending.rows).toHaveLength(1);
      expect(pending.rows[0].row).not.toContain(secret);
      expect(pending.rows[0].row).toMatch(/v1:/);

      const { recovery_codes } = (
        await t.api.post('/auth/2fa/enable', { token: access_token, json: { code: code(secret) } })
      ).body as { recovery_codes: string[] };
      const dump = await db.query(
        `SELECT string_agg(t::text, ' ') AS all FROM (
           SELECT c::text AS t FROM two_factor_credentials c WHERE user_id = $1
           UNION ALL SELECT r::text FROM two_factor_recovery_codes r WHERE user_id = $1
           UNION ALL SELECT e::text FROM security_events e WHERE user_id = $1) rows`,
        [user.id],
      );
      const all: string = dump.rows[0].all;
      expect(all).not.toContain(secret);
      expect(all.toLowerCase()).not.toContain(secret.toLowerCase());
      for (const recovery of recovery_codes) {
        expect(all).not.toContain(recovery);
        expect(all).not.toContain(recovery.replace(/-/g, ''));
      }
      const hashes = await db.query(
        `SELECT code_hash FROM two_factor_recovery_codes WHERE user_id = $1`,
        [user.id],
      );
      expect(hashes.rows).toHaveLength(10);
      for (const row of hashes.rows) expect(row.code_hash).toMatch(/^[0-9a-f]{64}$/);
    });
  });

  describe('login', () => {
    it('password -> 403 mfa_required -> verify -> tokens; the refresh grant needs no code', async () => {
      const { user, secret } = await enrolledUser();
      const first = await passwordGrant(t.api, user);
      expect(first.status).toBe(403);
      expect(first.headers.get('cache-control')).toBe('no-store');
      const body = first.body as unknown as Record<string, unknown>;
      expect(body).toMatchObject({ error: 'mfa_required' });
      expect(typeof body.error_description).toBe('string');
      expect(typeof body.mfa_token).toBe('string');
      expect(body).not.toHaveProperty('access_token');
      expect(body).not.toHaveProperty('refresh_token');

      // The mfa_token is no credential anywhere else.
      const asBearer = await me(body.mfa_token as string);
      expect(asBearer.status).toBe(401);
      expect(
        (await t.api.post('/auth/refresh', { json: { refresh_token: body.mfa_token } })).status,
      ).toBe(401);

      const verified = await verify({ mfa_token: body.mfa_token, code: code(secret) });
      expect(verified.status).toBe(200);
      expect(verified.headers.get('cache-control')).toBe('no-store');
      expect(verified.body).toMatchObject({ token_type: 'bearer' });
      const profile = await me(verified.body.access_token);
      expect(profile.status).toBe(200);
      expect(profile.body).toMatchObject({ id: user.id, two_factor_enabled: true });
      const sessions = await t.api.get('/auth/sessions', { token: verified.body.access_token });
      // The session of the enrolment login, and this one.
      expect(sessions.body).toHaveLength(2);
      expect(sessions.body.filter((s: { current: boolean }) => s.current)).toHaveLength(1);

      // Single use.
      const reused = await verify({ mfa_token: body.mfa_token, code: code(secret, -1) });
      expect(reused.status).toBe(401);
      expect(reused.body.code).toBe('INVALID_MFA_TOKEN');

      const refreshed = await t.api.post('/auth/token', {
        form: { grant_type: 'refresh_token', refresh_token: verified.body.refresh_token },
      });
      expect(refreshed.status).toBe(200);
      expect((await me(refreshed.body.access_token)).status).toBe(200);
    });

    it('/auth/login answers mfa_required too, and the requested scope carries through', async () => {
      const { user, secret } = await enrolledUser();
      const legacy = await t.api.post('/auth/login', {
        json: { username: user.email, password: user.password, scope: 'read:items' },
      });
      expect(legacy.status).toBe(403);
      expect(legacy.body.error).toBe('mfa_required');
      const verified = await verify({ mfa_token: legacy.body.mfa_token, code: code(secret) });
      expect(verified.status).toBe(200);
      expect(verified.body.scope).toBe('read:items');
    });

    it('a wrong password never reaches the second step', async () => {
      const { user } = await enrolledUser();
      const response = await passwordGrant(t.api, { ...user, password: 'wrong-password' });
      expect(response.status).toBe(400);
      expect(response.body).not.toHaveProperty('mfa_token');
    });

    it('accepts the current and the previous step only: older and future codes are refused', async () => {
      const { user, secret } = await enrolledUser();
      const token = await mfaToken(user);
      for (const offset of [-2, -3, 1, 2]) {
        const response = await verify({ mfa_token: token, code: code(secret, offset) });
        expect({ offset, status: response.status, code: response.body.code }).toEqual({
          offset,
          status: 400,
          code: 'INVALID_TWO_FACTOR_CODE',
        });
      }
      expect((await verify({ mfa_token: token, code: code(secret, -1) })).status).toBe(200);
    });

    it('a used code is refused again, in its own step and in the next one', async () => {
      const { user, secret } = await enrolledUser();
      const used = code(secret);
      expect((await verify({ mfa_token: await mfaToken(user), code: used })).status).toBe(200);

      const sameStep = await verify({ mfa_token: await mfaToken(user), code: used });
      expect(sameStep.status).toBe(400);
      expect(sameStep.body.code).toBe('INVALID_TWO_FACTOR_CODE');
      // An earlier step's code is no good either once a later one was used.
      expect(
        (await verify({ mfa_token: await mfaToken(user), code: code(secret, -1) })).status,
      ).toBe(400);

      now += 30_000; // the used code is now the previous step's, still inside the window
      const nextStep = await verify({ mfa_token: await mfaToken(user), code: used });
      expect(nextStep.status).toBe(400);
      expect((await verify({ mfa_token: await mfaToken(user), code: code(secret) })).status).toBe(
        200,
      );
    });

    it('a recovery code works once, with or without dashes and in any case', async () => {
      const { user, recovery } = await enrolledUser();
      const first = await verify({ mfa_token: await mfaToken(user), recovery_code: recovery[0] });
      expect(first.status).toBe(200);
      expect((await me(first.body.access_token)).status).toBe(200);
      const again = await verify({ mfa_token: await mfaToken(user), recovery_code: recovery[0] });
      expect(again.status).toBe(400);
      expect(again.body.code).toBe('INVALID_TWO_FACTOR_CODE');

      const relaxed = recovery[1].replace(/-/g, '').toLowerCase();
      expect(
        (await verify({ mfa_token: await mfaToken(user), recovery_code: relaxed })).status,
      ).toBe(200);
      const used = await db.query(
        `SELECT count(*)::int AS n FROM two_factor_recovery_codes WHERE user_id = $1 AND used_at IS NOT NULL`,
        [user.id],
      );
      expect(used.rows[0].n).toBe(2);
    });

    it('malformed bodies are 400 and do not count as attempts', async () => {
      const { user, secret } = await enrolledUser();
      const token = await mfaToken(user);
      const bad: Array<Record<string, unknown>> = [
        { mfa_token: token, code: '' },
        { mfa_token: token, code: '12345' },
        { mfa_token: token, code: '1234567' },
        { mfa_token: token, code: 'abcdef' },
        { mfa_token: token, code: 123456 },
        { mfa_token: token },
        { mfa_token: token, code: code(secret), recovery_code: 'AAAA-BBBB-CCCC-DDDD' },
        { mfa_token: token, recovery_code: 'not a code' },
        { code: code(secret) },
        { mfa_token: token, code: code(secret), extra: 1 },
      ];
      for (const body of bad) {
        const response = await verify(body);
        expect({ body, status: response.status, code: response.body.code }).toEqual({
          body,
          status: 400,
          code: 'VALIDATION_FAILED',
        });
      }
      expect((await verify({ mfa_token: token, code: code(secret) })).status).toBe(200);
    });

    it('five wrong codes kill the mfa_token; each counts towards the account lockout', async () => {
      const { user, secret } = await enrolledUser();
      const token = await mfaToken(user);
      for (let i = 0; i < 5; i++) {
        const response = await verify({ mfa_token: token, code: code(secret, -5) });
        expect(response.status).toBe(400);
      }
      const dead = await verify({ mfa_token: token, code: code(secret) });
      expect(dead.status).toBe(401);
      expect(dead.body.code).toBe('INVALID_MFA_TOKEN');

      expect(await failuresOf(user.id)).toBe(5);
      const events = await db.query(
        `SELECT details->>'reason' AS reason FROM security_events WHERE user_id = $1 AND type = 'login.failed'`,
        [user.id],
      );
      expect(events.rows.map((row) => row.reason)).toEqual(Array(5).fill('totp'));

      // Re-entering the password does not wipe the count: the next five lock the account (threshold 10).
      const second = await mfaToken(user);
      for (let i = 0; i < 5; i++) await verify({ mfa_token: second, code: code(secret, 3) });
      expect(await failuresOf(user.id)).toBe(10);
      const refused = await passwordGrant(t.api, user);
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ error: 'invalid_grant' });
    });

    it('a complete login forgets earlier failures', async () => {
      const { user, secret } = await enrolledUser();
      const token = await mfaToken(user);
      await verify({ mfa_token: token, code: code(secret, 4) });
      expect((await verify({ mfa_token: token, code: code(secret) })).status).toBe(200);
      expect(await failuresOf(user.id)).toBe(0);
    });

    it('an unknown or garbage mfa_token is 401', async () => {
      for (const token of ['mfa_nothing', 'x'.repeat(200)]) {
        const response = await verify({ mfa_token: token, code: '123456' });
        expect(response.status).toBe(401);
        expect(response.body.code).toBe('INVALID_MFA_TOKEN');
      }
    });
  });

  describe('turning it off', () => {
    it('disable needs the password and a current code', async () => {
      const { user, secret } = await enrolledUser();
      const tokens = (await verify({ mfa_token: await mfaToken(user), code: code(secret) })).body;
      now += 30_000;
      const disable = (json: unknown) =>
        t.api.post('/auth/2fa/disable', { token: tokens.access_token, json });

      const wrongPassword = await disable({ password: 'not-the-password', code: code(secret) });
      expect(wrongPassword.status).toBe(400);
      expect(wrongPassword.body.code).toBe('INVALID_CREDENTIALS');
      const wrongCode = await disable({ password: user.password, code: code(secret, -3) });
      // The same answer as a wrong password: it must not tell that the password was right.
      expect(wrongCode.status).toBe(400);
      expect(wrongCode.body).toEqual(wrongPassword.body);
      expect((await disable({ password: user.password })).status).toBe(400);
      expect((await me(tokens.access_token)).body.two_factor_enabled).toBe(true);

      const ok = await disable({ password: user.password, code: code(secret) });
      expect(ok.status).toBe(204);
      expect((await me(tokens.access_token)).body.two_factor_enabled).toBe(false);
      expect((await passwordGrant(t.api, user)).status).toBe(200);
      const left = await db.query(
        `SELECT (SELECT count(*) FROM two_factor_credentials WHERE user_id = $1)::int AS secrets,
                (SELECT count(*) FROM two_factor_recovery_codes WHERE user_id = $1)::int AS codes`,
        [user.id],
      );
      expect(left.rows[0]).toEqual({ secrets: 0, codes: 0 });
      expect((await disable({ password: user.password, code: code(secret) })).status).toBe(409);
    });

    it('an admin resets a user’s two-factor (lost device); others may not', async () => {
      const { user } = await enrolledUser();
      const admin = await registerUser(t.api);
      await setRoles(db, admin, ['admin']);
      const outsider = await registerUser(t.api);

      const asUser = await t.api.request('DELETE', `/admin/users/${user.id}/2fa`, {
        token: (await login(t.api, outsider)).access_token,
      });
      expect(asUser.status).toBe(403);
      expect((await passwordGrant(t.api, user)).status).toBe(403);

      const adminToken = (await login(t.api, admin)).access_token;
      const reset = await t.api.request('DELETE', `/admin/users/${user.id}/2fa`, {
        token: adminToken,
        headers: { 'user-agent': 'lost-device-desk/1.0' },
      });
      expect(reset.status).toBe(204);
      const after = await passwordGrant(t.api, user);
      expect(after.status).toBe(200);
      expect((await me(after.body.access_token)).body.two_factor_enabled).toBe(false);
      const event = await db.query(
        `SELECT actor_id, ip, user_agent FROM security_events WHERE user_id = $1 AND type = '2fa.reset'`,
        [user.id],
      );
      // The admin's own request is the event's client (docs/audit.md).
      expect(event.rows).toEqual([
        { actor_id: admin.id, ip: '127.0.0.1', user_agent: 'lost-device-desk/1.0' },
      ]);
      const missing = await t.api.request(
        'DELETE',
        '/admin/users/00000000-0000-4000-8000-000000000000/2fa',
        { token: adminToken },
      );
      expect(missing.status).toBe(404);
    });
  });
});
