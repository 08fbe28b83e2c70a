import { startTestApp, type TestApp } from './app.js';
import { registerUser } from './factories.js';

describe('rate limits per client', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      env: { AUTH_THROTTLE_LIMIT: '3', THROTTLE_LIMIT: '12', THROTTLE_TTL_SECONDS: '60' },
    });
  });
  afterAll(async () => {
    await t.close();
    process.env.AUTH_THROTTLE_LIMIT = '1000000';
    process.env.THROTTLE_LIMIT = '1000000';
  });

  const badLogin = (headers?: Record<string, string>) =>
    t.api.post('/auth/token', {
      form: { grant_type: 'password', username: 'nobody', password: 'wrong-password' },
      headers,
    });

  it('limits the auth routes together to AUTH_THROTTLE_LIMIT per minute, answering 429 with Retry-After', async () => {
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await badLogin()).status);
    expect(statuses).toEqual([400, 400, 400]);
    const limited = await badLogin();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(limited.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(limited.body).toMatchObject({ status: 429, code: 'TOO_MANY_REQUESTS' });
    // The bucket is shared by the auth routes: registering is limited too now.
    const register = await t.api.post('/auth/register', {
      json: { email: 'x@example.com', username: 'xx_x', password: 'long enough' },
    });
    expect(register.status).toBe(429);
    // So is the second login step: guessing TOTP codes is bounded per client as well.
    const verify = await t.api.post('/auth/2fa/verify', {
      json: { mfa_token: 'mfa_x', code: '123456' },
    });
    expect(verify.status).toBe(429);
  });

  it('ignores a spoofed X-Forwarded-For by default: a new header value is not a new client', async () => {
    const spoofed = await badLogin({ 'x-forwarded-for': '203.0.113.7' });
    expect(spoofed.status).toBe(429);
  });

  it('limits every route to THROTTLE_LIMIT per window', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await t.api.get('/api/public')).status);
    expect(statuses).toContain(429);
    const limited = await t.api.get('/health');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});

describe('rate limits behind a trusted proxy', () => {
  it('with TRUST_PROXY set, X-Forwarded-For names the client', async () => {
    const t = await startTestApp({ env: { AUTH_THROTTLE_LIMIT: '2', TRUST_PROXY: 'true' } });
    try {
      const login = (ip: string) =>
        t.api.post('/auth/token', {
          form: { grant_type: 'password', username: 'nobody', password: 'wrong-password' },
          headers: { 'x-forwarded-for': ip },
        });
      expect((await login('198.51.100.1')).status).toBe(400);
      expect((await login('198.51.100.1')).status).toBe(400);
      expect((await login('198.51.100.1')).status).toBe(429);
      expect((await login('198.51.100.2')).status).toBe(400);
      // And the session records the client's address, not the proxy's.
      const user = await registerUser(t.api);
      const tokens = await t.api.post('/auth/token', {
        form: { grant_type: 'password', username: user.username, password: user.password },
        headers: { 'x-forwarded-for': '198.51.100.9' },
      });
      expect(tokens.status).toBe(200);
      const sessions = await t.api.get('/auth/sessions', { token: tokens.body.access_token });
      expect(sessions.body[0].ip).toBe('198.51.100.9');
    } finally {
      await t.close();
      delete process.env.TRUST_PROXY;
      process.env.AUTH_THROTTLE_LIMIT = '1000000';
    }
  });
});
