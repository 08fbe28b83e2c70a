import pg from 'pg';
import { TwoFactorClock } from '../src/two-factor/two-factor-clock.js';
import { UsersService } from '../src/users/users.service.js';
import { startTestApp, type TestApp } from './app.js';
import { afterNotification, login, passwordGrant, registerUser, setRoles } from './factories.js';
import { stepOf, totpAt } from './totp.js';

describe('REQUIRE_2FA_ROLES=moderator: those roles (and the ones above) must enrol first', () => {
  let t: TestApp;
  let db: pg.Client;
  let now: number;

  beforeAll(async () => {
    t = await startTestApp({ env: { REQUIRE_2FA_ROLES: 'moderator' } });
    db = new pg.Client({ connectionString: t.database.url });
    await db.connect();
    t.app.get(TwoFactorClock).now = () => now;
  });
  beforeEach(() => {
    now = stepOf(Date.now()) * 30_000 + 12_000;
  });
  afterAll(async () => {
    delete process.env.REQUIRE_2FA_ROLES;
    await db.end();
    await t.close();
  });

  const me = (token: string) => t.api.get('/users/me', { token });
  const code = (secret: string, stepOffset = 0) => totpAt(secret, stepOf(now) + stepOffset);

  it('an admin without 2FA gets only a restricted token that reaches the enrolment routes', async () => {
    const admin = await registerUser(t.api);
    await setRoles(db, admin, ['admin']);

    const grant = await passwordGrant(t.api, admin);
    expect(grant.status).toBe(403);
    expect(grant.headers.get('cache-control')).toBe('no-store');
    const body = grant.body as unknown as Record<string, unknown>;
    expect(body).toMatchObject({ error: 'mfa_enrollment_required', token_type: 'bearer' });
    expect(body).not.toHaveProperty('access_token');
    expect(body).not.toHaveProperty('refresh_token');
    const restricted = body.enrollment_token as string;

    for (const [method, path] of [
      ['GET', '/users/me'],
      ['GET', '/admin/users'],
      ['GET', '/api/private'],
      ['GET', '/auth/sessions'],
    ]) {
      const response = await t.api.request(method, path, { token: restricted });
      expect({ path, status: response.status, code: response.body.code }).toEqual({
        path,
        status: 403,
        code: 'TWO_FACTOR_ENROLLMENT_REQUIRED',
      });
    }
    // /auth/login refuses tokens the same way.
    const legacy = await t.api.post('/auth/login', {
      json: { username: admin.username, password: admin.password },
    });
    expect(legacy.status).toBe(403);
    expect(legacy.body.error).toBe('mfa_enrollment_required');

    const setup = await t.api.post('/auth/2fa/setup', { token: restricted });
    expect(setup.status).toBe(200);
    expect((await t.api.get('/auth/2fa/qr.png', { token: restricted })).status).toBe(200);
    const enable = await t.api.post('/auth/2fa/enable', {
      token: restricted,
      json: { code: code(setup.body.secret) },
    });
    expect(enable.status).toBe(200);
    expect(enable.body.recovery_codes).toHaveLength(10);
    // Enrolled: the restricted token has done its job and is refused from now on.
    expect((await me(restricted)).status).toBe(401);

    now += 60_000;
    const second = await passwordGrant(t.api, admin);
    expect(second.status).toBe(403);
    expect(second.body).toMatchObject({ error: 'mfa_required' });
    const verified = await t.api.post('/auth/2fa/verify', {
      json: {
        mfa_token: (second.body as unknown as { mfa_token: string }).mfa_token,
        code: code(setup.body.secret),
      },
    });
    expect(verified.status).toBe(200);
    const profile = await me(verified.body.access_token);
    expect(profile.status).toBe(200);
    expect(profile.body.two_factor_enabled).toBe(true);
    expect((await t.api.get('/admin/users', { token: verified.body.access_token })).status).toBe(
      200,
    );
  });

  it('a role below the policy is not affected', async () => {
    const editor = await registerUser(t.api);
    await setRoles(db, editor, ['editor']);
    const { access_token } = await login(t.api, editor);
    expect((await me(access_token)).status).toBe(200);
  });

  it('tokens issued before a promotion are restricted at once, and refresh is refused', async () => {
    const user = await registerUser(t.api);
    const tokens = await login(t.api, user);
    await setRoles(db, user, ['moderator']);
    const response = await me(tokens.access_token);
    expect(response.status).toBe(403);
    expect(response.body.code).toBe('TWO_FACTOR_ENROLLMENT_REQUIRED');
    const refreshed = await t.api.post('/auth/token', {
      form: { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
    });
    expect(refreshed.status).toBe(400);
    expect(refreshed.body.error).toBe('invalid_grant');
    // The same token may still enrol.
    expect((await t.api.post('/auth/2fa/setup', { token: tokens.access_token })).status).toBe(200);
  });

  it('an API key meets the same policy: refused until its owner enrols, then it works again', async () => {
    const user = await registerUser(t.api);
    const { access_token } = await login(t.api, user);
    const created = await t.api.post('/api-keys', {
      token: access_token,
      json: { name: 'ci', scopes: ['read:items'] },
    });
    expect(created.status).toBe(201);
    const key = { 'x-api-key': created.body.key as string };
    expect((await t.api.get('/items', { headers: key })).status).toBe(200);

    await setRoles(db, user, ['admin']); // a promotion after the key was made, behind the app's back
    await afterNotification(
      () => t.api.get('/users/me', { headers: key }),
      (answer) => answer.status === 200,
    );
    for (const path of ['/users/me', '/items', '/api/private']) {
      const response = await t.api.get(path, { headers: key });
      expect({ path, status: response.status, code: response.body.code }).toEqual({
        path,
        status: 403,
        code: 'TWO_FACTOR_ENROLLMENT_REQUIRED',
      });
    }

    const grant = await passwordGrant(t.api, user);
    const enrolment = (grant.body as unknown as { enrollment_token: string }).enrollment_token;
    const setup = await t.api.post('/auth/2fa/setup', { token: enrolment });
    const enable = await t.api.post('/auth/2fa/enable', {
      token: enrolment,
      json: { code: code(setup.body.secret) },
    });
    expect(enable.status).toBe(200);
    expect((await t.api.get('/items', { headers: key })).status).toBe(200);
  });

  it('an enrolment token dies with a password change or reset', async () => {
    const admin = await registerUser(t.api);
    await setRoles(db, admin, ['admin']);
    const grant = await passwordGrant(t.api, admin);
    const enrolment = (grant.body as unknown as { enrollment_token: string }).enrollment_token;
    expect((await t.api.post('/auth/2fa/setup', { token: enrolment })).status).toBe(200);

    // The path a reset by e-mail or an operator takes.
    const users = t.app.get(UsersService);
    await users.setPassword((await users.findById(admin.id))!, `new-${admin.password}`);
    const after = await t.api.post('/auth/2fa/setup', { token: enrolment });
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('INVALID_TOKEN');
  });
});
