import pg from 'pg';
import { TwoFactorClock } from '../src/two-factor/two-factor-clock.js';
import { startTestApp, type TestApp } from './app.js';
import type { ApiResponse } from './http.js';
import { login, passwordGrant, registerUser, setRoles, type TestUser } from './factories.js';
import { stepOf, totpAt } from './totp.js';

const CONCURRENCY = 20;

/**
 * Pool discipline (issue 13): no code path holds a pool connection while asking the pool for another.
 * With a pool of two, two transactions that each wait for a second connection wait for each other until
 * the acquire timeout: the requests then fail with 5xx. So every route that opens a transaction is called
 * 20 times at once against a pool of 2, and none may answer 5xx. A new transactional route adds a row.
 */
describe('pool discipline: 20 concurrent calls of every transactional route on a pool of 2', () => {
  let t: TestApp;
  let db: pg.Client;
  let now: number;
  let admin: TestUser;
  let adminToken: string;

  beforeAll(async () => {
    t = await startTestApp({
      env: { DATABASE_POOL_SIZE: '2', DATABASE_CONNECT_TIMEOUT_SECONDS: '3' },
    });
    db = new pg.Client({ connectionString: t.database.url });
    await db.connect();
    t.app.get(TwoFactorClock).now = () => now;
    admin = await registerUser(t.api);
    await setRoles(db, admin, ['admin']);
    adminToken = (await login(t.api, admin)).access_token;
  }, 120_000);
  beforeEach(() => {
    // 12 s into a step, so nothing here runs near a step's edge.
    now = stepOf(Date.now()) * 30_000 + 12_000;
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  const code = (secret: string) => totpAt(secret, stepOf(now));

  /** Sends all at once; fails the test on any 5xx, returns the statuses. */
  async function burst(calls: Array<() => Promise<ApiResponse>>): Promise<number[]> {
    const responses = await Promise.all(calls.map((call) => call()));
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status >= 500)).toEqual([]);
    return statuses;
  }

  const times = <T>(make: (index: number) => T): T[] =>
    Array.from({ length: CONCURRENCY }, (_, index) => make(index));

  async function withPendingSetup(): Promise<{ user: TestUser; token: string; secret: string }> {
    const user = await registerUser(t.api);
    const { access_token: token } = await login(t.api, user);
    const setup = await t.api.post('/auth/2fa/setup', { token });
    return { user, token, secret: setup.body.secret };
  }

  async function enrolled(): Promise<{ user: TestUser; token: string; secret: string }> {
    const pending = await withPendingSetup();
    const enable = await t.api.post('/auth/2fa/enable', {
      token: pending.token,
      json: { code: code(pending.secret) },
    });
    expect(enable.status).toBe(200);
    // The enabling step is spent: what follows uses the next one.
    now += 30_000;
    return pending;
  }

  it('POST /auth/2fa/verify: 20 second steps at once (one right code, the rest replays)', async () => {
    const { user, secret } = await enrolled();
    const mfaTokens: string[] = [];
    for (let i = 0; i < CONCURRENCY; i += 1) {
      const response = await passwordGrant(t.api, user);
      expect(response.status).toBe(403);
      mfaTokens.push((response.body as unknown as { mfa_token: string }).mfa_token);
    }
    const right = code(secret);
    const statuses = await burst(
      mfaTokens.map(
        (mfa_token) => () => t.api.post('/auth/2fa/verify', { json: { mfa_token, code: right } }),
      ),
    );
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
  });

  it('POST /auth/2fa/enable', async () => {
    const { token, secret } = await withPendingSetup();
    const statuses = await burst(
      times(() => () => t.api.post('/auth/2fa/enable', { token, json: { code: code(secret) } })),
    );
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
  });

  it('POST /auth/2fa/disable', async () => {
    const { user, token, secret } = await enrolled();
    const statuses = await burst(
      times(
        () => () =>
          t.api.post('/auth/2fa/disable', {
            token,
            json: { password: user.password, code: code(secret) },
          }),
      ),
    );
    expect(statuses.filter((status) => status === 204)).toHaveLength(1);
  });

  it('DELETE /admin/users/{id}/2fa', async () => {
    const { user } = await enrolled();
    await burst(
      times(
        () => () => t.api.request('DELETE', `/admin/users/${user.id}/2fa`, { token: adminToken }),
      ),
    );
    const me = await t.api.get(`/admin/users/${user.id}`, { token: adminToken });
    expect(me.body.two_factor_enabled).toBe(false);
  });

  it('PATCH /admin/users/{id}', async () => {
    const user = await registerUser(t.api);
    const statuses = await burst(
      times(
        (index) => () =>
          t.api.patch(`/admin/users/${user.id}`, {
            token: adminToken,
            json: { full_name: `Name ${index}` },
          }),
      ),
    );
    expect(new Set(statuses)).toEqual(new Set([200]));
  });

  it('DELETE /admin/users/{id}', async () => {
    const users = await Promise.all(times(() => registerUser(t.api)));
    const statuses = await burst(
      users.map(
        (user) => () => t.api.request('DELETE', `/admin/users/${user.id}`, { token: adminToken }),
      ),
    );
    expect(new Set(statuses)).toEqual(new Set([204]));
  });

  it('the pool is free afterwards: /health answers 200', async () => {
    expect((await t.api.get('/health')).status).toBe(200);
  });
});
