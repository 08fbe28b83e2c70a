import { adminQuery } from './database.js';
import { newUserInput, registerUser } from './factories.js';
import { startTestApp, type TestApp } from './app.js';

describe('POST /auth/register', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  async function userCount(): Promise<number> {
    const client = await import('pg');
    const pool = new client.default.Client({ connectionString: t.database.url });
    await pool.connect();
    try {
      return Number((await pool.query('SELECT count(*) FROM users')).rows[0].count);
    } finally {
      await pool.end();
    }
  }

  it('creates a user with the role `user` and never returns the password or its hash', async () => {
    const input = { ...newUserInput(), full_name: 'Ada Lovelace' };
    const response = await t.api.post('/auth/register', { json: input });
    expect(response.status).toBe(201);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      email: input.email,
      username: input.username,
      full_name: 'Ada Lovelace',
      roles: ['user'],
      permissions: ['read:items', 'write:items', 'delete:items'],
      email_verified: false,
      is_active: true,
      two_factor_enabled: false,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    expect(response.text).not.toContain(input.password);
    expect(response.text).not.toMatch(/hash/i);
  });

  it('answers 409 USER_EXISTS for a taken email or username, whatever the case', async () => {
    const user = await registerUser(t.api);
    const byEmail = await t.api.post('/auth/register', {
      json: newUserInput({ email: user.email.toUpperCase() }),
    });
    expect(byEmail.status).toBe(409);
    expect(byEmail.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(byEmail.body).toMatchObject({ status: 409, code: 'USER_EXISTS', title: 'Conflict' });
    const byUsername = await t.api.post('/auth/register', {
      json: newUserInput({ username: user.username.toUpperCase() }),
    });
    expect(byUsername.status).toBe(409);
    expect(byUsername.body.code).toBe('USER_EXISTS');
  });

  it('settles simultaneous registrations of one username in the database: one 201, the rest 409', async () => {
    const input = newUserInput();
    const responses = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        t.api.post('/auth/register', { json: { ...input, email: `race${i}-${input.email}` } }),
      ),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
  });

  const invalidBodies: Array<[string, unknown, string]> = [
    ['an unknown field', { ...newUserInput(), nickname: 'x' }, 'nickname'],
    ['a role (mass assignment)', { ...newUserInput(), roles: ['admin'] }, 'roles'],
    ['is_active', { ...newUserInput(), is_active: false }, 'is_active'],
    ['an id', { ...newUserInput(), id: '00000000-0000-0000-0000-000000000000' }, 'id'],
    ['a bad email', newUserInput({ email: 'not-an-email' }), 'email'],
    ['a short password', newUserInput({ password: 'short' }), 'password'],
    ['a 129-character password', newUserInput({ password: 'x'.repeat(129) }), 'password'],
    ['a username with spaces', newUserInput({ username: 'has space' }), 'username'],
    ['a number for the username', { ...newUserInput(), username: 12345 }, 'username'],
    ['a NUL character', { ...newUserInput(), full_name: 'a\u0000b' }, 'full_name'],
    ['an SQL-looking username', newUserInput({ username: "x'; DROP TABLE users;--" }), 'username'],
  ];

  it.each(invalidBodies)(
    'refuses %s with a 400 naming the field, and stores nothing',
    async (_name, body, field) => {
      const before = await userCount();
      const response = await t.api.post('/auth/register', { json: body });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({
        status: 400,
        code: 'VALIDATION_FAILED',
        title: 'Bad Request',
      });
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      expect(response.text).not.toMatch(/stack|at .*\.js|QueryFailedError|SELECT|INSERT/);
      expect(await userCount()).toBe(before);
    },
  );

  it('refuses __proto__ and constructor keys (prototype pollution) with a 400', async () => {
    for (const raw of [
      `{"email":"p@example.com","username":"protouser","password":"long enough pw","__proto__":{"roles":["admin"]}}`,
      `{"email":"c@example.com","username":"ctoruser","password":"long enough pw","constructor":{"prototype":{"roles":["admin"]}}}`,
    ]) {
      const response = await t.api.post('/auth/register', {
        raw,
        headers: { 'content-type': 'application/json' },
      });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    expect(await adminQuery('SELECT 1')).toHaveLength(1);
  });

  it('answers malformed JSON, a non-object body and a missing body with 400 problem details', async () => {
    for (const raw of ['{"email":', '"just a string"', '[]', 'null']) {
      const response = await t.api.post('/auth/register', {
        raw,
        headers: { 'content-type': 'application/json' },
      });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ status: 400 });
      expect(['MALFORMED_REQUEST', 'VALIDATION_FAILED']).toContain(response.body.code);
    }
    const empty = await t.api.post('/auth/register');
    expect(empty.status).toBe(400);
  });

  it('answers an oversized body with 413 problem details', async () => {
    const response = await t.api.post('/auth/register', {
      json: { ...newUserInput(), full_name: 'x'.repeat(200 * 1024) },
    });
    expect(response.status).toBe(413);
    expect(response.body).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
  });
});
