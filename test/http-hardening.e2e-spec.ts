import { Writable } from 'node:stream';
import { startTestApp, type TestApp } from './app.js';
import { login, newUserInput, registerUser } from './factories.js';
import { rawRequest } from './raw-http.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HARDENING_ENV = {
  CORS_ORIGINS: undefined,
  TRUSTED_HOSTS: undefined,
  FORCE_HTTPS: undefined,
  TRUST_PROXY: undefined,
};

/** The headers every response carries, whatever its status. */
function expectHardenedHeaders(headers: Headers): void {
  expect(headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
  expect(headers.get('x-content-type-options')).toBe('nosniff');
  expect(headers.get('referrer-policy')).toBe('no-referrer');
  expect(headers.get('x-frame-options')).toBe('DENY');
  const csp = headers.get('content-security-policy') ?? '';
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("object-src 'none'");
  expect(headers.get('x-powered-by')).toBeNull();
  expect(headers.get('x-request-id')).toMatch(UUID);
  expect(headers.get('x-process-time')).toMatch(/^\d+\.\d{6}$/);
  expect(headers.get('access-control-allow-origin')).toBeNull();
}

describe('HTTP hardening defaults', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: HARDENING_ENV });
  });
  afterAll(() => t.close());

  describe('security headers', () => {
    it('are on a 200', async () => {
      const response = await t.api.get('/health');
      expect(response.status).toBe(200);
      expectHardenedHeaders(response.headers);
    });

    it('are on a 401', async () => {
      const response = await t.api.get('/users/me');
      expect(response.status).toBe(401);
      expectHardenedHeaders(response.headers);
    });

    it('are on a 404', async () => {
      const response = await t.api.get('/no/such/route');
      expect(response.status).toBe(404);
      expectHardenedHeaders(response.headers);
    });

    it('are on a 413', async () => {
      const response = await t.api.post('/auth/register', {
        json: { ...newUserInput(), full_name: 'x'.repeat(150 * 1024) },
      });
      expect(response.status).toBe(413);
      expectHardenedHeaders(response.headers);
    });

    it('are on Swagger UI, whose CSP allows only its own scripts', async () => {
      const response = await t.api.get('/docs');
      expect(response.status).toBe(200);
      expectHardenedHeaders(response.headers);
      expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(response.text).not.toMatch(/<script>[^<]/);
    });
  });

  describe('CORS without CORS_ORIGINS', () => {
    it('allows no origin', async () => {
      const response = await t.api.get('/health', {
        headers: { origin: 'http://localhost:3000' },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('answers no preflight with 2xx or CORS headers', async () => {
      const response = await rawRequest(t.api.baseUrl, {
        method: 'OPTIONS',
        path: '/users/me',
        headers: {
          host: '127.0.0.1',
          origin: 'http://localhost:3000',
          'access-control-request-method': 'GET',
        },
      });
      expect(response.status).toBe(405);
      expect(response.headers['access-control-allow-origin']).toBeUndefined();
      expect(response.headers['access-control-allow-methods']).toBeUndefined();
    });
  });

  describe('trusted hosts (default localhost, 127.0.0.1)', () => {
    it.each(['localhost', 'localhost:8000', '127.0.0.1', 'LOCALHOST:1'])(
      'serves Host %s',
      async (host) => {
        const response = await rawRequest(t.api.baseUrl, { path: '/health', headers: { host } });
        expect(response.status).toBe(200);
      },
    );

    it.each(['evil.example', 'localhost.evil.example', '127.0.0.1.nip.io', '[::1]', 'localhost:x'])(
      'refuses Host %s with 400 problem details, before routing or authentication',
      async (host) => {
        for (const path of ['/health', '/users/me', '/no/such/route']) {
          const response = await rawRequest(t.api.baseUrl, { path, headers: { host } });
          expect(response.status).toBe(400);
          expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
          expect(response.body).toMatchObject({ status: 400, code: 'UNTRUSTED_HOST' });
          expect(response.headers['strict-transport-security']).toBeDefined();
          expect(response.headers['x-request-id']).toMatch(UUID);
        }
      },
    );

    it('refuses a request without a Host header', async () => {
      // Node's HTTP server itself refuses an HTTP/1.1 request without Host.
      const response = await rawRequest(t.api.baseUrl, { path: '/health', headers: {} });
      expect(response.status).toBe(400);
    });
  });

  describe('request limits', () => {
    it('answers a form body over 100 KB with 413', async () => {
      const response = await t.api.post('/auth/token', {
        form: { grant_type: 'password', username: 'x', password: 'p'.repeat(110 * 1024) },
      });
      expect(response.status).toBe(413);
      expect(response.body).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    });

    it('accepts a JSON body just under the limit (and validates it)', async () => {
      const response = await t.api.post('/auth/register', {
        json: { ...newUserInput(), full_name: 'x'.repeat(90 * 1024) },
      });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
    });

    it.each([
      ['text/plain', 'hello'],
      ['application/xml', '<a/>'],
      ['multipart/form-data; boundary=x', '--x--'],
      ['application/jsonx', '{}'],
    ])('answers a %s body with 415', async (type, body) => {
      const response = await t.api.post('/auth/register', {
        raw: body,
        headers: { 'content-type': type },
      });
      expect(response.status).toBe(415);
      expect(response.body).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    });

    it('answers a body without Content-Type with 415, on an authenticated route too', async () => {
      const user = await registerUser(t.api);
      const { access_token } = await login(t.api, user);
      for (const token of [undefined, access_token]) {
        const response = await rawRequest(t.api.baseUrl, {
          method: 'PATCH',
          path: '/users/me',
          headers: {
            host: '127.0.0.1',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: '{"full_name":"x"}',
        });
        expect(response.status).toBe(415);
      }
    });

    it('accepts JSON with a charset parameter', async () => {
      const response = await t.api.post('/auth/register', {
        raw: JSON.stringify(newUserInput()),
        headers: { 'content-type': 'application/json; charset=utf-8' },
      });
      expect(response.status).toBe(201);
    });

    it('answers deeply nested JSON with 400, whatever the route', async () => {
      const deep = '{"a":'.repeat(5000) + '1' + '}'.repeat(5000);
      for (const path of ['/auth/register', '/auth/login', '/no/such/route']) {
        const response = await t.api.post(path, {
          raw: deep,
          headers: { 'content-type': 'application/json' },
        });
        expect(response.status).toBe(400);
        expect(response.body).toMatchObject({ code: 'MALFORMED_REQUEST' });
        expect(response.body.detail).toMatch(/nested/);
      }
      const justDeepEnough = { ...newUserInput(), full_name: 'x' };
      expect((await t.api.post('/auth/register', { json: justDeepEnough })).status).toBe(201);
    });

    it('answers a huge array with 400', async () => {
      const response = await t.api.post('/auth/register', {
        json: { ...newUserInput(), tags: Array.from({ length: 5000 }, () => 0) },
      });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'MALFORMED_REQUEST' });
      expect(response.body.detail).toMatch(/array/);
    });

    it('answers a huge array in the query string with 400', async () => {
      const query = Array.from({ length: 600 }, () => 'a=1').join('&');
      const response = await t.api.get(`/health?${query}`);
      expect(response.status).toBe(400);
    });

    it.each(['TRACE', 'PROPFIND', 'PURGE', 'OPTIONS'])(
      'answers %s with 405 problem details',
      async (method) => {
        const response = await rawRequest(t.api.baseUrl, {
          method,
          path: '/health',
          headers: { host: '127.0.0.1' },
        });
        expect(response.status).toBe(405);
        expect(response.body).toMatchObject({ code: 'METHOD_NOT_ALLOWED' });
        expect(response.headers['x-request-id']).toMatch(UUID);
      },
    );

    it.each([
      ['TRACK', '/health'],
      ['CONNECT', '127.0.0.1:80'],
    ])('never answers %s with 2xx', async (method, path) => {
      // Node's HTTP parser refuses methods it does not know (400), and a server without a
      // CONNECT handler closes the connection.
      const status = await rawRequest(t.api.baseUrl, {
        method,
        path,
        headers: { host: '127.0.0.1' },
      }).then(
        (response) => response.status,
        () => 0,
      );
      expect(status === 0 || status >= 400).toBe(true);
    });
  });

  describe('request ids and timing', () => {
    it('echoes a sane X-Request-Id, on success and on error', async () => {
      for (const path of ['/health', '/no/such/route']) {
        const response = await t.api.get(path, {
          headers: { 'x-request-id': 'trace-42.abc:def' },
        });
        expect(response.headers.get('x-request-id')).toBe('trace-42.abc:def');
      }
    });

    it('generates a fresh UUID when none is sent, a new one each time', async () => {
      const first = await t.api.get('/health');
      const second = await t.api.get('/health');
      expect(first.headers.get('x-request-id')).toMatch(UUID);
      expect(second.headers.get('x-request-id')).toMatch(UUID);
      expect(first.headers.get('x-request-id')).not.toBe(second.headers.get('x-request-id'));
    });

    it.each([
      ['with spaces', 'a b'],
      ['too long', 'x'.repeat(129)],
      ['with markup', '<script>'],
      ['with a quote', 'a"b'],
      ['starting with a dash', '-abc'],
    ])('replaces an X-Request-Id %s with a generated one', async (_name, value) => {
      const response = await t.api.get('/health', { headers: { 'x-request-id': value } });
      expect(response.headers.get('x-request-id')).toMatch(UUID);
    });

    it('reports the processing time in seconds', async () => {
      const response = await t.api.get('/health');
      const seconds = Number(response.headers.get('x-process-time'));
      expect(seconds).toBeGreaterThan(0);
      expect(seconds).toBeLessThan(60);
    });
  });
});

describe('CORS with CORS_ORIGINS and TRUSTED_HOSTS patterns', () => {
  const APP = 'https://app.example.com';
  const LOCAL = 'http://localhost:3000';
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      env: {
        ...HARDENING_ENV,
        CORS_ORIGINS: `${APP}, ${LOCAL}`,
        TRUSTED_HOSTS: '127.0.0.1,*.example.com',
      },
    });
  });
  afterAll(() => t.close());

  const get = (origin: string | undefined, path = '/health') =>
    rawRequest(t.api.baseUrl, {
      path,
      headers: { host: '127.0.0.1', ...(origin !== undefined ? { origin } : {}) },
    });

  it.each([APP, LOCAL])(
    'echoes the allowlisted origin %s exactly, with Vary: Origin',
    async (origin) => {
      for (const path of ['/health', '/users/me', '/no/such/route']) {
        const response = await get(origin, path);
        expect(response.headers['access-control-allow-origin']).toBe(origin);
        expect(response.headers.vary).toMatch(/\bOrigin\b/);
        expect(response.headers['access-control-allow-credentials']).toBeUndefined();
        expect(response.headers['access-control-expose-headers']).toMatch(/X-Request-Id/);
      }
    },
  );

  it.each([
    ['another origin', 'https://evil.example.com'],
    ['a look-alike', 'https://app.example.com.evil.example'],
    ['another scheme', 'http://app.example.com'],
    ['another port', 'http://localhost:3001'],
    ['a different case', 'HTTPS://APP.EXAMPLE.COM'],
    ['null', 'null'],
    ['a wildcard', '*'],
  ])('gives %s no Access-Control-Allow-Origin', async (_name, origin) => {
    const response = await get(origin);
    expect(response.status).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
    expect(response.headers.vary).toMatch(/\bOrigin\b/);
  });

  it('sends Vary: Origin even without an Origin header', async () => {
    const response = await get(undefined);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
    expect(response.headers.vary).toMatch(/\bOrigin\b/);
  });

  it('answers an allowlisted preflight with 204 and the methods and headers, never *', async () => {
    const response = await rawRequest(t.api.baseUrl, {
      method: 'OPTIONS',
      path: '/users/me',
      headers: {
        host: '127.0.0.1',
        origin: APP,
        'access-control-request-method': 'PATCH',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe(APP);
    expect(response.headers['access-control-allow-methods']).toMatch(/PATCH/);
    expect(response.headers['access-control-allow-headers']).toMatch(/Authorization/);
    expect(response.headers['access-control-allow-headers']).toMatch(/Content-Type/);
    expect(response.headers['access-control-allow-credentials']).toBeUndefined();
    expect(JSON.stringify(response.headers)).not.toContain('"*"');
  });

  it('gives a preflight from another origin, or null, no CORS headers and no 2xx', async () => {
    for (const origin of ['https://evil.example.com', 'null']) {
      const response = await rawRequest(t.api.baseUrl, {
        method: 'OPTIONS',
        path: '/users/me',
        headers: { host: '127.0.0.1', origin, 'access-control-request-method': 'GET' },
      });
      expect(response.status).toBe(405);
      expect(response.headers['access-control-allow-origin']).toBeUndefined();
      expect(response.headers['access-control-allow-methods']).toBeUndefined();
    }
  });

  it.each([
    ['api.example.com', 200],
    ['a.b.example.com:8443', 200],
    ['example.com', 400],
    ['localhost', 400],
    ['evilexample.com', 400],
    ['api.example.com.evil.test', 400],
  ])('with *.example.com trusted, Host %s gets %i', async (host, status) => {
    const response = await rawRequest(t.api.baseUrl, { path: '/health', headers: { host } });
    expect(response.status).toBe(status);
  });
});

describe('FORCE_HTTPS', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  const get = (path: string, headers: Record<string, string> = {}) =>
    rawRequest(t!.api.baseUrl, { path, headers: { host: 'localhost:8000', ...headers } });

  it('redirects plain HTTP to https, ignoring X-Forwarded-Proto without TRUST_PROXY', async () => {
    t = await startTestApp({ env: { ...HARDENING_ENV, FORCE_HTTPS: 'true' } });
    const plain = await get('/users/me?x=1');
    expect(plain.status).toBe(307);
    expect(plain.headers.location).toBe('https://localhost:8000/users/me?x=1');
    expect(plain.headers['strict-transport-security']).toBeDefined();
    const forged = await get('/users/me', { 'x-forwarded-proto': 'https' });
    expect(forged.status).toBe(307);
    // The health check stays on plain HTTP for container and load-balancer probes.
    expect((await get('/health')).status).toBe(200);
    // The CSP asks browsers to upgrade sub-resources too.
    expect(plain.headers['content-security-policy']).toContain('upgrade-insecure-requests');
  });

  it('believes X-Forwarded-Proto: https from a trusted proxy (TRUST_PROXY)', async () => {
    t = await startTestApp({ env: { ...HARDENING_ENV, FORCE_HTTPS: 'true', TRUST_PROXY: '1' } });
    expect((await get('/users/me', { 'x-forwarded-proto': 'https' })).status).toBe(401);
    expect((await get('/users/me', { 'x-forwarded-proto': 'http' })).status).toBe(307);
    expect((await get('/users/me')).status).toBe(307);
  });
});

describe('structured logs', () => {
  const lines: string[] = [];
  let t: TestApp;
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    t = await startTestApp({ env: HARDENING_ENV, logDestination: sink });
  });
  afterAll(() => t.close());

  it('logs a login and a token refresh as JSON lines without any secret', async () => {
    const user = await registerUser(t.api);
    lines.length = 0;
    const apiKey = 'gh_live_0123456789abcdefghijklmnopqrstuv';
    const cookie = 'session=cookie-secret-0123456789';
    const login = await t.api.post('/auth/token', {
      form: { grant_type: 'password', username: user.username, password: user.password },
      headers: { cookie, 'x-api-key': apiKey, 'x-request-id': 'login-1' },
    });
    expect(login.status).toBe(200);
    const tokens = login.body;
    const refreshed = await t.api.post('/auth/refresh', {
      json: { refresh_token: tokens.refresh_token },
      headers: { 'x-request-id': 'refresh-1' },
    });
    expect(refreshed.status).toBe(200);
    const grant = await t.api.post('/auth/token', {
      form: { grant_type: 'refresh_token', refresh_token: refreshed.body.refresh_token },
    });
    expect(grant.status).toBe(200);
    const me = await t.api.get('/users/me', {
      token: grant.body.access_token,
      headers: { 'x-request-id': 'me-1' },
    });
    expect(me.status).toBe(200);
    // A token in the query string is refused (credentials never go in a URL), and not logged either.
    const inUrl = await t.api.get(`/users/me?access_token=${grant.body.access_token}`, {
      token: grant.body.access_token,
    });
    expect(inUrl.status).toBe(400);
    expect(inUrl.body.code).toBe('CREDENTIALS_IN_URL');
    const reused = await t.api.post('/auth/refresh', {
      json: { refresh_token: tokens.refresh_token },
    });
    expect(reused.status).toBe(401);
    const badLogin = await t.api.post('/auth/token', {
      form: { grant_type: 'password', username: user.username, password: `${user.password}x` },
    });
    expect(badLogin.status).toBe(400);

    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries.length).toBeGreaterThanOrEqual(6);
    const secrets = [
      user.password,
      tokens.access_token,
      tokens.refresh_token,
      refreshed.body.access_token,
      refreshed.body.refresh_token,
      grant.body.access_token,
      grant.body.refresh_token,
      apiKey,
      'cookie-secret-0123456789',
      // Any JWT at all, and the signature half of one.
      'eyJ',
      tokens.access_token.split('.')[2],
    ];
    for (const line of lines) {
      for (const secret of secrets) expect(line).not.toContain(secret);
    }

    const byId = (id: string) => entries.find((entry) => entry.reqId === id);
    expect(byId('login-1')).toMatchObject({
      level: 'info',
      method: 'POST',
      path: '/auth/token',
      status: 200,
      durationMs: expect.any(Number),
    });
    expect(byId('refresh-1')).toMatchObject({ method: 'POST', path: '/auth/refresh', status: 200 });
    expect(byId('me-1')).toMatchObject({
      method: 'GET',
      path: '/users/me',
      status: 200,
      userId: user.id,
    });
  });

  it('says why a request failed: the problem code, at info, without the credential', async () => {
    lines.length = 0;
    const badToken = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl';
    const me = await t.api.get('/users/me', {
      token: badToken,
      headers: { 'x-request-id': 'fail-1' },
    });
    expect(me.status).toBe(401);
    const login = await t.api.post('/auth/token', {
      form: { grant_type: 'password', username: 'nobody-here', password: 'wrong-password-1' },
      headers: { 'x-request-id': 'fail-2' },
    });
    expect(login.status).toBe(400);
    const untrusted = await rawRequest(t.api.baseUrl, {
      path: '/health',
      headers: { host: 'evil.example', 'x-request-id': 'fail-3' },
    });
    expect(untrusted.status).toBe(400);
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const byId = (id: string) => entries.find((entry) => entry.reqId === id);
    expect(byId('fail-1')).toMatchObject({ level: 'info', status: 401, problem: 'INVALID_TOKEN' });
    expect(byId('fail-2')).toMatchObject({ level: 'info', status: 400, problem: 'invalid_grant' });
    expect(byId('fail-3')).toMatchObject({ level: 'info', status: 400, problem: 'UNTRUSTED_HOST' });
    expect(byId('fail-1')?.msg).toContain('INVALID_TOKEN');
    for (const line of lines) {
      expect(line).not.toContain('wrong-password-1');
      expect(line).not.toContain('eyJ');
    }
  });

  it('masks secret-named fields and secrets in messages wherever they appear', async () => {
    const { redact } = await import('../src/http/logging.js');
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl';
    const cleaned = JSON.stringify(
      redact({
        headers: { Authorization: `Bearer ${jwt}`, 'X-API-Key': 'k1', cookie: 'c=1' },
        body: { password: 'p1', nested: [{ refresh_token: 'r1', client_secret: 's1' }] },
        twoFactor: { code: '123456', recovery_codes: ['aaaa-bbbb'] },
        message: `failed for refresh_token=r2&x=1 with Authorization: Bearer ${jwt}`,
        statusCode: 401,
      }),
    );
    for (const secret of [jwt, 'k1', 'c=1', 'p1', 'r1', 's1', '123456', 'aaaa-bbbb', 'r2']) {
      expect(cleaned).not.toContain(secret);
    }
    expect(cleaned).toContain('"statusCode":401');
  });
});
