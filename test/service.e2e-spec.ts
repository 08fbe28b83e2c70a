import pg from 'pg';
import { startTestApp, type TestApp } from './app.js';
import { createTestDatabase, dropTestDatabase } from './database.js';

describe('service endpoints', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('GET / names the service and links to docs and auth', async () => {
    const response = await t.api.get('/');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      name: 'Gatehouse',
      version: expect.any(String),
      links: { docs: '/docs', openapi: '/docs-json', token: '/auth/token' },
    });
  });

  it('GET /health reports the database up', async () => {
    const response = await t.api.get('/health');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok', checks: { database: 'up' } });
  });

  it('serves Swagger UI at /docs', async () => {
    const response = await t.api.get('/docs');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    expect(response.text).toContain('swagger-ui');
  });

  it('publishes an OpenAPI 3 document whose password flow logs in at /auth/token', async () => {
    const response = await t.api.get('/docs-json');
    expect(response.status).toBe(200);
    const doc = response.body;
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.components.securitySchemes.oauth2).toMatchObject({
      type: 'oauth2',
      flows: { password: { tokenUrl: '/auth/token' } },
    });
    expect(doc.components.securitySchemes.oauth2.flows.password.scopes).toHaveProperty(
      'read:items',
    );
    // Protected operations show the scheme; public ones do not.
    expect(doc.paths['/users/me'].get.security).toEqual(expect.arrayContaining([{ oauth2: [] }]));
    expect(doc.paths['/auth/me'].get.security).toEqual(expect.arrayContaining([{ oauth2: [] }]));
    expect(doc.paths['/auth/token'].post.security).toBeUndefined();
    expect(Object.keys(doc.paths['/auth/token'].post.requestBody.content)).toEqual([
      'application/x-www-form-urlencoded',
    ]);
  });

  it('answers an unknown route with 404 problem details', async () => {
    const response = await t.api.get('/no/such/route');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.body).toEqual({
      type: 'urn:gatehouse:problem:not-found',
      title: 'Not Found',
      status: 404,
      detail: expect.any(String),
      code: 'NOT_FOUND',
    });
  });
});

describe('GET /health when the database is down', () => {
  it('answers 503 and recovers when the database comes back', async () => {
    const database = await createTestDatabase();
    const t = await startTestApp({ database });
    const admin = new pg.Client({ connectionString: process.env.GATEHOUSE_TEST_ADMIN_URL });
    await admin.connect();
    try {
      expect((await t.api.get('/health')).status).toBe(200);
      await admin.query(`ALTER DATABASE ${database.name} ALLOW_CONNECTIONS false`);
      await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1',
        [database.name],
      );
      const down = await t.api.get('/health');
      expect(down.status).toBe(503);
      expect(down.body).toEqual({ status: 'error', checks: { database: 'down' } });
      await admin.query(`ALTER DATABASE ${database.name} ALLOW_CONNECTIONS true`);
      expect((await t.api.get('/health')).status).toBe(200);
    } finally {
      await admin.end();
      await t.close();
      await dropTestDatabase(database.name);
    }
  });
});
