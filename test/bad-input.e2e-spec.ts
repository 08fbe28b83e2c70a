import { connect } from 'node:net';
import pg from 'pg';
import { startTestApp, type TestApp } from './app.js';
import { login, registerUser, setRoles } from './factories.js';
import type { ApiResponse } from './http.js';

/** What every error answer looks like: RFC 9457 problem details, nothing of the framework's own. */
function expectProblem(response: ApiResponse, status: number, code?: string): void {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({
    status,
    type: expect.any(String),
    title: expect.any(String),
  });
  if (code) expect(response.body.code).toBe(code);
  expect(response.text).not.toMatch(/FST_ERR|statusCode|\bat .*\.js/);
}

/** Bytes that `fetch` refuses to send (a bare CR in a header, 17 KB of headers): straight on a socket. */
function rawExchange(baseUrl: string, request: string): Promise<string> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(request));
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => resolve(text));
    socket.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'ECONNRESET' ? resolve(text) : reject(error),
    );
  });
}

function parseRaw(text: string): { status: number; headers: string[]; body: any } {
  const [head, body] = text.split('\r\n\r\n');
  const [statusLine, ...headers] = head.split('\r\n');
  return { status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(body) };
}

describe.each(['fastify', 'express'] as const)(
  'bad input on %s: always problem details',
  (adapter) => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ adapter });
    }, 60_000);
    afterAll(() => t.close());

    it('refuses a lone UTF-16 surrogate in an e-mail with 400, not 500', async () => {
      for (const email of ['\ud800@example.com', 'a\udfff@example.com']) {
        const response = await t.api.post('/auth/register', {
          json: { email, username: `u${Date.now()}`, password: 'correct horse battery staple' },
        });
        expectProblem(response, 400);
      }
    });

    it('answers invalid percent-encoding in a path parameter with problem details', async () => {
      for (const path of ['/items/%FF', '/items/%E0%A4%A', '/users/%']) {
        const response = await t.api.get(path);
        expect(response.status).toBeGreaterThanOrEqual(400);
        expect(response.status).toBeLessThan(500);
        expectProblem(response, response.status);
      }
    });

    it('answers a 5 KB path parameter with problem details that do not echo the path', async () => {
      const long = 'a'.repeat(5 * 1024);
      const response = await t.api.get(`/items/${long}`);
      // fastify's router refuses it before authentication (404: nothing has that id); express routes
      // it, so authentication answers first.
      expectProblem(response, adapter === 'fastify' ? 404 : 401);
      expect(response.text).not.toContain(long.slice(0, 200));
    });

    it('answers a header with a bare CR with one problem body and one Content-Type', async () => {
      const text = await rawExchange(
        t.api.baseUrl,
        'GET /health HTTP/1.1\r\nHost: localhost\r\nX-Odd: a\rb\r\n\r\n',
      );
      const response = parseRaw(text);
      expect(response.status).toBe(400);
      const types = response.headers.filter((h) => /^content-type:/i.test(h));
      expect(types).toEqual(['Content-Type: application/problem+json']);
      expect(response.body).toMatchObject({ status: 400, code: 'MALFORMED_REQUEST' });
    });

    it('answers more than 16 KB of headers with 431 problem details', async () => {
      const text = await rawExchange(
        t.api.baseUrl,
        `GET /health HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'b'.repeat(17 * 1024)}\r\n\r\n`,
      );
      const response = parseRaw(text);
      expect(response.status).toBe(431);
      expect(response.headers.filter((h) => /^content-type:/i.test(h))).toHaveLength(1);
      expect(response.body).toMatchObject({ status: 431, code: 'REQUEST_HEADERS_TOO_LARGE' });
    });

    it('still serves the next request normally', async () => {
      expect((await t.api.get('/health')).status).toBe(200);
    });
  },
);

describe('input rules', () => {
  let t: TestApp;
  let db: pg.Client;
  beforeAll(async () => {
    t = await startTestApp();
    db = new pg.Client({ connectionString: t.database.url });
    await db.connect();
  }, 60_000);
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  describe('HTML is stripped only from text within twice the length limit (finding 8)', () => {
    let token: string;
    beforeAll(async () => {
      token = (await login(t.api, await registerUser(t.api))).access_token;
    });

    it('strips markup from text of reasonable size', async () => {
      const response = await t.api.post('/items', {
        token,
        json: { name: '<b>Bold</b> <script>alert(1)</script>name', description: '<i>x</i>' },
      });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ name: 'Bold name', description: 'x' });
    });

    it('refuses a name whose raw text is over twice the limit, however little text the markup holds', async () => {
      // 480 raw characters, 60 once stripped: judged by its size before the HTML parser runs.
      for (const name of ['<i>a</i>'.repeat(60), `<b>${'<b>'.repeat(33_000)}</b>`]) {
        const response = await t.api.post('/items', { token, json: { name } });
        expectProblem(response, 400, 'VALIDATION_FAILED');
        expect(response.body.errors).toEqual([expect.objectContaining({ field: 'name' })]);
      }
      const description = '<p>x</p>'.repeat(600); // 4800 raw characters, 600 once stripped
      const response = await t.api.post('/items', { token, json: { name: 'n', description } });
      expectProblem(response, 400, 'VALIDATION_FAILED');
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'description' })]);
    });
  });

  describe('date filters are RFC 3339 date-times (finding 9)', () => {
    let token: string;
    beforeAll(async () => {
      const admin = await registerUser(t.api);
      await setRoles(db, admin, ['admin']);
      token = (await login(t.api, admin)).access_token;
    });

    it.each([
      'from=2020-W01',
      'from=2020-W01-1',
      'from=2020-001',
      'from=2020-01-01',
      'to=2020-01-01T10',
      'to=2020-01-01T10:00',
      'from=2021-02-29T00:00:00Z',
      'from=2020-01-01T24:00:00Z',
      'to=2020-01-01T00:00:00%2B25:00',
      'from=%2B275760-09-13T00:00:00Z',
      'from=',
    ])('answers ?%s with 400 naming the field', async (query) => {
      const response = await t.api.get(`/admin/audit?${query}`, { token });
      expectProblem(response, 400, 'VALIDATION_FAILED');
      expect(response.body.errors[0].field).toBe(query.split('=')[0]);
    });

    it('accepts RFC 3339 with Z, an offset and fractions', async () => {
      for (const query of [
        'from=2020-01-01T00:00:00Z&to=2099-12-31T23:59:59.999999z',
        'from=2020-02-29T12:00:00%2B02:00',
      ]) {
        expect((await t.api.get(`/admin/audit?${query}`, { token })).status).toBe(200);
      }
    });
  });

  describe('credentials never in a URL (finding 10)', () => {
    it('refuses a password in the query string of /auth/login, even a right one', async () => {
      const user = await registerUser(t.api);
      const query = new URLSearchParams({ username: user.username, password: user.password });
      const response = await t.api.post(`/auth/login?${query}`);
      expectProblem(response, 400, 'CREDENTIALS_IN_URL');
      expect(response.text).not.toContain(user.password);
      expect(response.body.access_token).toBeUndefined();
    });

    it.each([
      ['POST', '/auth/token?grant_type=password&username=a&Password=b'],
      ['POST', '/auth/token?client_secret=s'],
      ['GET', '/users/me?access_token=abc'],
      ['GET', '/items?api_key=abc'],
      ['POST', '/auth/2fa/verify?mfa_token=x&code=123456'],
      ['POST', '/auth/password/change?current_password=a&new_password[]=b'],
      ['GET', '/health?token=abc'],
      ['POST', '/auth/revoke?token=abc'],
    ])('refuses %s %s with 400', async (method, path) => {
      const response = await t.api.request(method, path);
      expectProblem(response, 400, 'CREDENTIALS_IN_URL');
    });

    it('still takes POST /auth/refresh?refresh_token= from the original tutorial clients', async () => {
      const tokens = await login(t.api, await registerUser(t.api));
      const response = await t.api.post(
        `/auth/refresh?refresh_token=${encodeURIComponent(tokens.refresh_token)}`,
      );
      expect(response.status).toBe(200);
      expect(response.body.access_token).toEqual(expect.any(String));
    });
  });

  describe('one address, one account (finding 14)', () => {
    it('treats an e-mail in NFD and NFC, and full-width forms, as one identity', async () => {
      const tag = Date.now().toString(36);
      const nfc = `jos\u00e9.${tag}@example.com`;
      const nfd = `jose\u0301.${tag}@example.com`;
      expect(nfc).not.toBe(nfd);
      const user = await registerUser(t.api, { email: nfd });
      const second = await t.api.post('/auth/register', {
        json: { email: nfc.toUpperCase(), username: `other_${tag}`, password: user.password },
      });
      expectProblem(second, 409, 'USER_EXISTS');
      const me = await t.api.get('/users/me', {
        token: (await login(t.api, { username: nfc, password: user.password })).access_token,
      });
      expect(me.body.email).toBe(nfc);
      // A full-width username is the same identity as its ASCII form.
      const wide = user.username.replace(/[a-z0-9_]/g, (c) =>
        String.fromCharCode(c.charCodeAt(0) + 0xfee0),
      );
      expect(
        (await login(t.api, { username: wide, password: user.password })).access_token,
      ).toEqual(expect.any(String));
    });
  });
});
