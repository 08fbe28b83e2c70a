import pg from 'pg';
import { startTestApp, type TestApp } from './app.js';
import { login, passwordGrant, registerUser, type TestUser } from './factories.js';
import { totpAt } from './totp.js';

describe('account lockout', () => {
  let t: TestApp;
  let db: pg.Client;
  let adminToken: string;

  beforeAll(async () => {
    t = await startTestApp({ env: { LOCKOUT_THRESHOLD: '3', LOCKOUT_MINUTES: '15' } });
    db = new pg.Client({ connectionString: t.database.url });
    await db.connect();
    const admin = await registerUser(t.api);
    await db.query(`UPDATE users SET roles = '{admin}' WHERE id = $1`, [admin.id]);
    adminToken = (await login(t.api, admin)).access_token;
  });
  afterAll(async () => {
    await db.end();
    await t.close();
    delete process.env.LOCKOUT_THRESHOLD;
    delete process.env.LOCKOUT_MINUTES;
  });

  const wrong = (user: TestUser) =>
    passwordGrant(t.api, { username: user.username, password: 'definitely wrong' });

  it('locks after LOCKOUT_THRESHOLD consecutive failures; then even the right password gets the same failure', async () => {
    const user = await registerUser(t.api);
    const failures = [await wrong(user), await wrong(user), await wrong(user)];
    expect(failures.map((r) => r.status)).toEqual([400, 400, 400]);
    const locked = await passwordGrant(t.api, user);
    expect(locked.status).toBe(400);
    expect(locked.text).toBe(failures[0].text); // nothing tells a locked account from a wrong password
    const { rows } = await db.query(
      `SELECT window_ends_at AS locked_until FROM login_attempts WHERE account = $1 AND client = ''`,
      [user.id],
    );
    const minutes = (new Date(rows[0].locked_until).getTime() - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(14);
    expect(minutes).toBeLessThanOrEqual(15);
    const events = await db.query(
      `SELECT type, details FROM security_events WHERE user_id = $1 ORDER BY created_at`,
      [user.id],
    );
    expect(events.rows.map((e: { type: string }) => e.type)).toEqual([
      'login.failed',
      'login.failed',
      'login.failed',
      'account.locked',
      'login.failed',
    ]);
    expect(JSON.stringify(events.rows)).not.toContain('definitely wrong');
  });

  it('a success resets the count', async () => {
    const user = await registerUser(t.api);
    await wrong(user);
    await wrong(user);
    expect((await passwordGrant(t.api, user)).status).toBe(200);
    await wrong(user);
    await wrong(user);
    expect((await passwordGrant(t.api, user)).status).toBe(200);
  });

  it('ends by itself when the lockout time has passed', async () => {
    const user = await registerUser(t.api);
    for (let i = 0; i < 3; i++) await wrong(user);
    expect((await passwordGrant(t.api, user)).status).toBe(400);
    await db.query(
      `UPDATE login_attempts SET window_ends_at = now() - interval '1 second' WHERE account = $1`,
      [user.id],
    );
    expect((await passwordGrant(t.api, user)).status).toBe(200);
  });

  it('an admin lifts it with POST /admin/users/{id}/unlock', async () => {
    const user = await registerUser(t.api);
    for (let i = 0; i < 3; i++) await wrong(user);
    expect((await passwordGrant(t.api, user)).status).toBe(400);
    const unlock = await t.api.post(`/admin/users/${user.id}/unlock`, { token: adminToken });
    expect(unlock.status).toBe(204);
    expect((await passwordGrant(t.api, user)).status).toBe(200);
    const { rows } = await db.query(
      `SELECT actor_id FROM security_events WHERE user_id = $1 AND type = 'account.unlocked'`,
      [user.id],
    );
    expect(rows).toHaveLength(1);
    const userToken = (await login(t.api, user)).access_token;
    expect((await t.api.post(`/admin/users/${user.id}/unlock`, { token: userToken })).status).toBe(
      403,
    );
  });

  it('counts failures across instances, in the database: concurrent failures all count', async () => {
    const user = await registerUser(t.api);
    await Promise.all([wrong(user), wrong(user), wrong(user)]);
    expect((await passwordGrant(t.api, user)).status).toBe(400);
  });

  it('wrong codes at /auth/2fa/enable count too: then the right code and the right password are refused', async () => {
    const user = await registerUser(t.api);
    const { access_token } = await login(t.api, user);
    const setup = await t.api.post('/auth/2fa/setup', { token: access_token });
    expect(setup.status).toBe(200);
    const right = totpAt(setup.body.secret, Math.floor(Date.now() / 30_000));
    const wrong = right === '000000' ? '111111' : '000000';
    const enable = (code: string) =>
      t.api.post('/auth/2fa/enable', { token: access_token, json: { code } });
    const answers = [await enable(wrong), await enable(wrong), await enable(wrong)];
    expect(answers.map((r) => r.body.code)).toEqual(Array(3).fill('INVALID_TWO_FACTOR_CODE'));
    const locked = await enable(right);
    expect(locked.status).toBe(400);
    expect(locked.body).toEqual(answers[0].body);
    expect((await passwordGrant(t.api, user)).status).toBe(400);
  });

  it('locks through /auth/login as well', async () => {
    const user = await registerUser(t.api);
    for (let i = 0; i < 3; i++) {
      await t.api.post('/auth/login', {
        json: { username: user.username, password: 'definitely wrong' },
      });
    }
    const response = await t.api.post('/auth/login', {
      json: { username: user.username, password: user.password },
    });
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('invalid_grant');
  });
});

describe('password policy', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it.each([
    [
      'a common password',
      { email: 'p1@example.com', username: 'policy_one', password: 'iloveyou1' },
    ],
    ['the username', { email: 'p2@example.com', username: 'policy_user', password: 'policy_user' }],
    [
      'the email',
      { email: 'policy@example.com', username: 'policy_three', password: 'policy@example.com' },
    ],
  ])('register refuses %s with a 400 naming the field', async (_name, json) => {
    const response = await t.api.post('/auth/register', { json });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([{ field: 'password', message: expect.any(String) }]);
  });

  it('password change applies the same rules', async () => {
    const user = await registerUser(t.api);
    const { access_token } = await login(t.api, user);
    for (const new_password of ['password123', user.username, 'short']) {
      const response = await t.api.post('/auth/password/change', {
        token: access_token,
        json: { current_password: user.password, new_password },
      });
      expect({ new_password, status: response.status }).toEqual({ new_password, status: 400 });
      expect(response.body.errors[0].field).toBe('new_password');
    }
  });
});
