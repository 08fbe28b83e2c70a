import pg from 'pg';
import { startTestApp, type TestApp } from './app.js';
import { afterNotification, login, registerUser, type TestUser } from './factories.js';
import { decodeJwt, signAsServer, signJwt } from './jwt.js';

describe('access-token validation on protected routes', () => {
  let t: TestApp;
  let user: TestUser;
  let valid: Record<string, any>;
  const secret = process.env.SECRET_KEY!;

  beforeAll(async () => {
    t = await startTestApp();
    user = await registerUser(t.api);
    valid = decodeJwt((await login(t.api, user)).access_token);
  });
  afterAll(() => t.close());

  const now = () => Math.floor(Date.now() / 1000);
  /** Signed with the server's own current key (HS secret or key pair): only the claims differ. */
  const sign = (claims: Record<string, unknown>) => signAsServer(t.app, claims);

  function expectInvalidToken(response: { status: number; headers: Headers; body: any }) {
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer realm="gatehouse", error="invalid_token"',
    );
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.body).toEqual({
      type: 'urn:gatehouse:problem:invalid-token',
      title: 'Unauthorized',
      status: 401,
      detail: expect.any(String),
      code: 'INVALID_TOKEN',
    });
  }

  it('accepts a token it signed itself (the control case for the forgeries below)', async () => {
    const response = await t.api.get('/users/me', { token: await sign(valid) });
    expect(response.status).toBe(200);
    expect(response.body.id).toBe(user.id);
  });

  it('answers a request without a token with 401 and a bare Bearer challenge', async () => {
    const response = await t.api.get('/users/me');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="gatehouse"');
    expect(response.body.code).toBe('UNAUTHENTICATED');
  });

  it.each([
    ['a tampered signature', async () => (await sign(valid)).slice(0, -3) + 'AAA'],
    [
      'a tampered payload',
      async () => {
        const [h, , s] = (await sign(valid)).split('.');
        return `${h}.${Buffer.from(JSON.stringify({ ...valid, roles: ['admin'] })).toString('base64url')}.${s}`;
      },
    ],
    ['another secret', () => signJwt(valid, 'x'.repeat(48))],
    ['alg none', () => signJwt(valid, secret, { alg: 'none', typ: 'JWT' })],
    ['HS512 when HS256 is pinned', () => signJwt(valid, secret, { alg: 'HS512', typ: 'JWT' })],
    ['an expired token', () => sign({ ...valid, iat: now() - 3600, exp: now() - 60 })],
    [
      'a token without exp',
      () => {
        const { exp: _exp, ...rest } = valid;
        return sign(rest);
      },
    ],
    ['a wrong issuer', () => sign({ ...valid, iss: 'someone-else' })],
    ['a wrong audience', () => sign({ ...valid, aud: 'another-api' })],
    ['a refresh-type token', () => sign({ ...valid, typ: 'refresh' })],
    [
      'a token without a type',
      () => {
        const { typ: _typ, ...rest } = valid;
        return sign(rest);
      },
    ],
    ['an unknown subject', () => sign({ ...valid, sub: '00000000-0000-4000-8000-000000000000' })],
    ['a non-uuid subject', () => sign({ ...valid, sub: "x' OR 1=1 --" })],
    ['garbage', () => 'not-a-jwt'],
  ])('refuses %s with 401 invalid_token', async (_name, make: () => string | Promise<string>) => {
    expectInvalidToken(await t.api.get('/users/me', { token: await make() }));
  });

  it('refuses a real refresh token presented as a bearer token', async () => {
    const tokens = await login(t.api, user);
    expectInvalidToken(await t.api.get('/users/me', { token: tokens.refresh_token }));
  });

  it('refuses the still-unexpired token of a user disabled since in the database, within a second', async () => {
    const bob = await registerUser(t.api);
    const tokens = await login(t.api, bob);
    expect((await t.api.get('/users/me', { token: tokens.access_token })).status).toBe(200);
    const db = new pg.Client({ connectionString: t.database.url });
    await db.connect();
    await db.query('UPDATE users SET is_active = false WHERE id = $1', [bob.id]);
    await db.end();
    const response = await afterNotification(
      () => t.api.get('/users/me', { token: tokens.access_token }),
      (answer) => answer.status === 200,
    );
    expectInvalidToken(response);
  });

  it('refuses a non-Bearer Authorization scheme', async () => {
    const tokens = await login(t.api, user);
    const response = await t.api.get('/users/me', {
      headers: { authorization: `Basic ${tokens.access_token}` },
    });
    expect(response.status).toBe(401);
  });
});
