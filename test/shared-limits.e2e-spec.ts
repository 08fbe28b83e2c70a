import pg from 'pg';
import { DEVICES_PER_USER } from '../src/login-attempts/login-attempts.service.js';
import { startTestApp, type TestApp } from './app.js';
import { newUserInput, type TestUser } from './factories.js';
import type { Api } from './http.js';
import { startInstance, type Instance } from './instance.js';
import { totpAt } from './totp.js';

/**
 * Two real instances (this process and a second server process) on one database, as two replicas.
 * Behind a trusted proxy, so each test picks its clients' addresses (X-Forwarded-For).
 */
describe('limits and lockout shared by replicas (PostgreSQL)', () => {
  const THRESHOLD = 5;
  const env = {
    AUTH_THROTTLE_LIMIT: '4',
    THROTTLE_LIMIT: '1000000',
    LOCKOUT_THRESHOLD: String(THRESHOLD),
    LOCKOUT_MINUTES: '15',
    TRUST_PROXY: 'true',
  };
  let a: TestApp;
  let b: Instance;
  let db: pg.Client;
  let nextAddress = 0;
  /** A client address of its own (the auth limit is 4 a minute per address). */
  const fresh = (): Record<string, string> => {
    nextAddress += 1;
    return {
      'x-forwarded-for': `10.${nextAddress >> 8}.${nextAddress & 255}.1`,
    };
  };

  beforeAll(async () => {
    a = await startTestApp({ env });
    b = await startInstance(a.database.url, env);
    db = new pg.Client({ connectionString: a.database.url });
    await db.connect();
  }, 90_000);
  afterAll(async () => {
    await db?.end();
    await b?.stop();
    await a?.close();
    process.env.AUTH_THROTTLE_LIMIT = '1000000';
    for (const name of ['LOCKOUT_THRESHOLD', 'LOCKOUT_MINUTES', 'TRUST_PROXY']) {
      delete process.env[name];
    }
  });

  const grant = (api: Api, user: Pick<TestUser, 'username' | 'password'>, headers = fresh()) =>
    api.post('/auth/token', {
      form: {
        grant_type: 'password',
        username: user.username,
        password: user.password,
      },
      headers,
    });
  const newUser = async (): Promise<TestUser> => {
    const input = newUserInput();
    const response = await a.api.post('/auth/register', {
      json: input,
      headers: fresh(),
    });
    expect(response.status).toBe(201);
    return { ...input, id: response.body.id };
  };
  const tokenOf = async (user: TestUser): Promise<string> => {
    const response = await grant(a.api, user);
    expect(response.status).toBe(200);
    return response.body.access_token;
  };
  /** What an admin reads back in the audit trail: the failed checks of a user, by reason. */
  const failures = async (userId: string, type = 'login.failed') =>
    (
      await db.query(
        `SELECT details->>'reason' AS reason FROM security_events WHERE user_id = $1 AND type = $2`,
        [userId, type],
      )
    ).rows.map((row: { reason: string }) => row.reason);

  it('the auth limit holds across both instances: at most AUTH_THROTTLE_LIMIT answers, not N times it', async () => {
    const client = fresh();
    const nobody = { username: 'nobody', password: 'wrong-password' };
    const statuses = await Promise.all(
      Array.from({ length: 10 }, (_, i) => grant(i % 2 === 0 ? a.api : b.api, nobody, client)),
    );
    expect(statuses.filter((r) => r.status === 400)).toHaveLength(4);
    expect(statuses.filter((r) => r.status === 429)).toHaveLength(6);
    const later = [await grant(a.api, nobody, client), await grant(b.api, nobody, client)];
    expect(later.map((r) => r.status)).toEqual([429, 429]);
    expect(later[1].body).toMatchObject({
      status: 429,
      code: 'TOO_MANY_REQUESTS',
    });
    expect(Number(later[1].headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('a 20-request parallel guess burst over both instances gets at most the threshold of checks, and never tokens', async () => {
    const user = await newUser();
    const wrong = { username: user.username, password: 'not-the-password' };
    const burst = Array.from({ length: 19 }, (_, i) => grant(i % 2 ? b.api : a.api, wrong));
    burst.push(grant(b.api, user)); // the right password, sent last
    const responses = await Promise.all(burst);
    expect(responses.every((r) => r.status === 400)).toBe(true);
    expect(responses.some((r) => 'access_token' in (r.body ?? {}))).toBe(false);
    const reasons = await failures(user.id);
    expect(reasons.filter((r) => r === 'password')).toHaveLength(THRESHOLD);
    expect(reasons.filter((r) => r === 'locked')).toHaveLength(20 - THRESHOLD);
    // Locked now, on both instances, for the right password too: the same answer as a wrong one.
    const right = [await grant(a.api, user), await grant(b.api, user)];
    expect(right.map((r) => r.status)).toEqual([400, 400]);
    expect(right[0].body).toEqual(responses[0].body);
    expect(await failures(user.id, 'account.locked')).toHaveLength(1);
  });

  it('an unknown user and a known user with a wrong password get the same answer and are counted alike', async () => {
    const user = await newUser();
    const known = await grant(a.api, {
      username: user.username,
      password: 'nope-nope',
    });
    const unknown = await grant(a.api, {
      username: `${user.username}x`,
      password: 'nope-nope',
    });
    expect([known.status, unknown.status]).toEqual([400, 400]);
    expect(known.body).toEqual(unknown.body);
    // Both took one place in a counter before their (real or dummy) bcrypt check.
    const { rows } = await db.query(
      `SELECT count(*)::int AS n FROM login_attempts WHERE account = $1 OR account LIKE 'unknown:%'`,
      [user.id],
    );
    expect(rows[0].n).toBeGreaterThanOrEqual(2);
  });

  it('guessing the current password on /auth/password/change locks the account like failed logins', async () => {
    const user = await newUser();
    const access_token = await tokenOf(user);
    const change = (api: Api, current: string) =>
      api.post('/auth/password/change', {
        token: access_token,
        json: {
          current_password: current,
          new_password: `new-${user.password}`,
        },
        headers: fresh(),
      });
    const guesses = await Promise.all(
      Array.from({ length: 8 }, (_, i) => change(i % 2 ? b.api : a.api, `guess-${i}-wrong`)),
    );
    expect(guesses.map((r) => r.status)).toEqual(Array(8).fill(400));
    const right = await change(a.api, user.password);
    expect(right.status).toBe(400);
    expect(right.body).toEqual(guesses[0].body);
    expect((await grant(b.api, user)).status).toBe(400); // and logins from unknown clients too
    const reasons = await failures(user.id, 'password.change_failed');
    expect(reasons.filter((r) => r === 'current_password')).toHaveLength(THRESHOLD);
  });

  it('/auth/2fa/disable: the same answer whether the password was right, and guessing locks', async () => {
    const user = await newUser();
    const access_token = await tokenOf(user);
    const disable = (password: string, code: string) =>
      b.api.post('/auth/2fa/disable', {
        token: access_token,
        json: { password, code },
        headers: fresh(),
      });
    // Without two-factor: 409 whatever the password, so it reveals nothing about the password.
    const [rightOff, wrongOff] = [
      await disable(user.password, '123456'),
      await disable('not-the-password', '123456'),
    ];
    expect([rightOff.status, wrongOff.status]).toEqual([409, 409]);
    expect(rightOff.body).toEqual(wrongOff.body);

    const setup = await a.api.post('/auth/2fa/setup', {
      token: access_token,
      headers: fresh(),
    });
    const secret: string = setup.body.secret;
    const now = () => totpAt(secret, Math.floor(Date.now() / 30_000));
    const enabled = await a.api.post('/auth/2fa/enable', {
      token: access_token,
      json: { code: now() },
      headers: fresh(),
    });
    expect(enabled.status).toBe(200);
    const wrongPassword = await disable('not-the-password', now());
    const wrongCode = await disable(user.password, '000000' === now() ? '111111' : '000000');
    expect([wrongPassword.status, wrongCode.status]).toEqual([400, 400]);
    expect(wrongCode.body).toEqual(wrongPassword.body);
    for (let i = 0; i < THRESHOLD; i++) await disable(`guess-${i}-wrong`, now());
    const right = await disable(user.password, now());
    expect(right.status).toBe(400);
    expect(right.body).toEqual(wrongPassword.body);
  });

  it('an attacker cannot lock the owner out of a client that logged in before (known-device cookie)', async () => {
    const user = await newUser();
    const first = await grant(a.api, user);
    expect(first.status).toBe(200);
    const setCookie = first.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^gatehouse_device=[A-Za-z0-9_-]{43}; /);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    const cookie = setCookie.split(';')[0];

    // The attack: the threshold of wrong passwords from anywhere else locks out unknown clients.
    const wrong = { username: user.username, password: 'not-the-password' };
    await Promise.all(
      Array.from({ length: THRESHOLD + 3 }, (_, i) => grant(i % 2 ? b.api : a.api, wrong)),
    );
    expect((await grant(b.api, user)).status).toBe(400);
    const forged = { ...fresh(), cookie: `gatehouse_device=${'A'.repeat(43)}` };
    expect((await grant(b.api, user, forged)).status).toBe(400);

    // The owner's client, with its cookie, still logs in, on either instance.
    const owner = await grant(b.api, user, { ...fresh(), cookie });
    expect(owner.status).toBe(200);
    expect(owner.body.access_token).toEqual(expect.any(String));
    expect(owner.headers.get('set-cookie')).toBeNull(); // it keeps the cookie it has
    // Its own wrong passwords lock only itself, after the threshold.
    for (let i = 0; i < THRESHOLD; i++) {
      await grant(a.api, wrong, { ...fresh(), cookie });
    }
    expect((await grant(a.api, user, { ...fresh(), cookie })).status).toBe(400);
  });

  it(`a user keeps at most ${DEVICES_PER_USER} known devices: a new one ends the least recently used`, async () => {
    const user = await newUser();
    const cookies: string[] = [];
    for (let i = 0; i <= DEVICES_PER_USER; i++) {
      const login = await grant(i % 2 ? b.api : a.api, user);
      expect(login.status).toBe(200);
      cookies.push((login.headers.get('set-cookie') ?? '').split(';')[0]);
    }
    expect(new Set(cookies).size).toBe(DEVICES_PER_USER + 1);
    const { rows } = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM known_devices WHERE user_id = $1',
      [user.id],
    );
    expect(rows[0].n).toBe(DEVICES_PER_USER);

    // The newest device is still known (it keeps its cookie); the oldest is not (it gets a new one).
    const newest = await grant(a.api, user, { ...fresh(), cookie: cookies[DEVICES_PER_USER] });
    expect(newest.status).toBe(200);
    expect(newest.headers.get('set-cookie')).toBeNull();
    const oldest = await grant(b.api, user, { ...fresh(), cookie: cookies[0] });
    expect(oldest.status).toBe(200);
    expect(oldest.headers.get('set-cookie')).toMatch(/^gatehouse_device=[A-Za-z0-9_-]{43}; /);
  });
});
