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

  it('types every OpenAPI scalar, gives every error a body schema, and documents 429 and mfa_required', async () => {
    const doc = (await t.api.get('/docs-json')).body;
    const untyped: string[] = [];
    // A scalar that lost its type (a union or an inferred property) shows as `object` or `$ref: Object`.
    const walk = (schema: any, where: string): void => {
      if (!schema || typeof schema !== 'object') return;
      if (schema.$ref === '#/components/schemas/Object') untyped.push(where);
      if (schema.type === 'object' && !schema.properties && !schema.additionalProperties)
        untyped.push(where);
      for (const part of schema.allOf ?? []) walk(part, where);
      for (const [name, property] of Object.entries(schema.properties ?? {}))
        walk(property, `${where}.${name}`);
      walk(schema.items, `${where}[]`);
    };
    const withoutBody: string[] = [];
    const without429: string[] = [];
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      for (const [method, operation] of Object.entries<any>(item)) {
        const at = `${method.toUpperCase()} ${path}`;
        for (const parameter of operation.parameters ?? [])
          walk(parameter.schema, `${at} ${parameter.name}`);
        for (const [status, response] of Object.entries<any>(operation.responses)) {
          const schemas = Object.values<any>(response.content ?? {}).map((c) => c.schema?.$ref);
          if (/^[45]/.test(status) && schemas.length === 0) withoutBody.push(`${at} ${status}`);
        }
        // No route skips the general per-client limit, so every one can answer 429.
        if (!operation.responses['429']) without429.push(at);
      }
    }
    for (const [name, schema] of Object.entries(doc.components.schemas)) walk(schema, name);
    expect(untyped).toEqual([]);
    expect(withoutBody).toEqual([]);
    expect(without429).toEqual([]);
    expect(doc.components.schemas.Object).toBeUndefined();
    expect(doc.paths['/admin/users'].get.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'page',
          schema: expect.objectContaining({ type: 'integer' }),
        }),
        expect.objectContaining({
          name: 'limit',
          schema: expect.objectContaining({ type: 'integer' }),
        }),
      ]),
    );
    expect(doc.components.schemas.RegisterDto.properties.full_name.type).toBe('string');
    expect(doc.paths['/admin/users'].get.responses['403'].content).toEqual({
      'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDetails' } },
    });
    expect(doc.paths['/auth/token'].post.responses['429'].headers).toHaveProperty('Retry-After');
    for (const path of ['/auth/token', '/auth/login']) {
      const forbidden = doc.paths[path].post.responses['403'];
      expect(forbidden.content['application/json'].schema.$ref).toBe(
        '#/components/schemas/MfaRequired',
      );
    }
    expect(doc.components.schemas.MfaRequired.properties.error.enum).toEqual(['mfa_required']);

    // Swagger UI's own example for registration (built from the schema) is accepted.
    const example = {
      email: 'user@example.com',
      username: 'string',
      password: 'string',
      full_name: 'string',
    };
    const register = await t.api.post('/auth/register', {
      json: { ...example, password: 'an uncommon example passphrase' },
    });
    expect(register.status).toBe(201);
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
      // pg_terminate_backend only signals; with a timeout it waits until each backend has gone.
      await admin.query(
        'SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE datname = $1',
        [database.name],
      );
      const down = await t.api.get('/health');
      expect(down.status).toBe(503);
      expect(down.body).toEqual({ status: 'error', checks: { database: 'down' } });
      await admin.query(`ALTER DATABASE ${database.name} ALLOW_CONNECTIONS true`);
      const up = await t.api.get('/health');
      expect({ status: up.status, body: up.body }).toEqual({
        status: 200,
        body: { status: 'ok', checks: { database: 'up' } },
      });
    } finally {
      await admin.end();
      await t.close();
      await dropTestDatabase(database.name);
    }
  });
});
