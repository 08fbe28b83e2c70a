import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedDatabase } from '../src/database/embedded-database.js';
import { MetricsServer } from '../src/metrics/metrics-server.js';
import { startTestApp, type TestApp } from './app.js';
import { tempDir } from './temp-dirs.js';
import { login, passwordGrant, registerUser, setRoles } from './factories.js';

const METRICS_TOKEN = 'metrics-token-for-the-e2e-spec-0123456789';

/** The value of one sample line (`name{labels} value`), 0 when the series does not exist yet. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe('metrics', () => {
  let t: TestApp;
  const scrape = async () => {
    const response = await t.api.get('/metrics', { token: METRICS_TOKEN });
    expect(response.status).toBe(200);
    return response.text;
  };

  beforeAll(async () => {
    t = await startTestApp({ env: { METRICS_TOKEN } });
  });
  afterAll(async () => {
    await t.close();
    delete process.env.METRICS_TOKEN;
  });

  it('refuses a request without the metrics token, or with a user token', async () => {
    const none = await t.api.get('/metrics');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="gatehouse-metrics"');
    expect(none.text).not.toContain('gatehouse_');
    expect((await t.api.get('/metrics', { token: 'wrong-token' })).status).toBe(401);
    const user = await registerUser(t.api);
    const { access_token } = await login(t.api, user);
    expect((await t.api.get('/metrics', { token: access_token })).status).toBe(401);
  });

  it('serves Prometheus text with the token', async () => {
    const response = await t.api.get('/metrics', { token: METRICS_TOKEN });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(response.text).toContain('# TYPE gatehouse_http_request_duration_seconds histogram');
    expect(response.text).toMatch(/gatehouse_db_pool_connections\{state="total"\} \d+/);
  });

  it('login, lockout-free failure, refresh and logout counters move', async () => {
    const user = await registerUser(t.api);
    const before = await scrape();
    await passwordGrant(t.api, { username: user.username, password: 'wrong' });
    await passwordGrant(t.api, { username: user.username, password: 'wrong again' });
    const tokens = await login(t.api, user);
    const refreshed = await t.api.post('/auth/refresh', {
      json: { refresh_token: tokens.refresh_token },
    });
    await t.api.post('/auth/logout', { token: refreshed.body.access_token });
    const after = await scrape();
    const delta = (series: string) => sample(after, series) - sample(before, series);
    expect({
      failed: delta('gatehouse_logins_total{outcome="failure",reason="password"}'),
      succeeded: delta('gatehouse_logins_total{outcome="success",reason=""}'),
      refreshed: delta('gatehouse_token_refreshes_total'),
      loggedOut: delta('gatehouse_session_revocations_total{reason="logout"}'),
    }).toEqual({ failed: 2, succeeded: 1, refreshed: 1, loggedOut: 1 });
    expect(after).toMatch(
      /gatehouse_http_request_duration_seconds_count\{method="POST",route="\/auth\/token",status="200"\} [1-9]/,
    );
    expect(after).toMatch(
      /gatehouse_http_request_duration_seconds_count\{method="POST",route="\/auth\/token",status="400"\} [1-9]/,
    );
  });
});

describe('throttling is counted and recorded', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      env: { METRICS_TOKEN, AUTH_THROTTLE_LIMIT: '2', TRUST_PROXY: 'true' },
    });
  });
  afterAll(async () => {
    await t.close();
    process.env.AUTH_THROTTLE_LIMIT = '1000000';
    delete process.env.TRUST_PROXY;
    delete process.env.METRICS_TOKEN;
  });

  it('one rate_limit.exceeded event per client and window; every 429 counted', async () => {
    const attempt = () =>
      t.api.post('/auth/token', {
        form: { grant_type: 'password', username: 'someone', password: 'something' },
        headers: { 'x-forwarded-for': '198.51.100.7' },
      });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await attempt()).status);
    expect(statuses).toEqual([400, 400, 429, 429]);
    const metrics = await t.api.get('/metrics', { token: METRICS_TOKEN });
    expect(sample(metrics.text, 'gatehouse_throttled_requests_total{kind="auth"}')).toBe(2);

    const admin = await registerUser(t.api);
    const db = new pg.Client({ connectionString: t.database.url });
    await db.connect();
    await setRoles(db, admin, ['admin']);
    await db.end();
    const { access_token } = await login(t.api, admin);
    const events = await t.api.get('/admin/audit?type=rate_limit.exceeded', {
      token: access_token,
    });
    expect(events.body.items).toEqual([
      expect.objectContaining({
        type: 'rate_limit.exceeded',
        ip: '198.51.100.7',
        details: { route: '/auth/token', limit: 2 },
      }),
    ]);
  });
});

describe('metrics on a separate METRICS_PORT', () => {
  it('serves /metrics there without a token, and not on the API port', async () => {
    const t = await startTestApp({ env: { METRICS_PORT: '0' } });
    try {
      expect((await t.api.get('/metrics')).status).toBe(404);
      const port = t.app.get(MetricsServer).port;
      const response = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('gatehouse_logins_total');
      expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    } finally {
      await t.close();
      delete process.env.METRICS_PORT;
    }
  });
});

describe('health endpoints', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('/health/live and /health/ready answer ok; /health keeps its contract', async () => {
    const live = await t.api.get('/health/live');
    expect(live.status).toBe(200);
    expect(live.body).toEqual({ status: 'ok' });
    const ready = await t.api.get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ok', checks: { database: 'up', migrations: 'up' } });
    expect((await t.api.get('/health')).body).toEqual({ status: 'ok', checks: { database: 'up' } });
  });

  it('readiness is 503 while a migration is not applied', async () => {
    const db = new pg.Client({ connectionString: t.database.url });
    await db.connect();
    try {
      const [last] = (
        await db.query(
          'DELETE FROM migrations WHERE id = (SELECT max(id) FROM migrations) RETURNING *',
        )
      ).rows;
      const ready = await t.api.get('/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body).toEqual({
        status: 'error',
        checks: { database: 'up', migrations: 'down' },
      });
      expect((await t.api.get('/health')).status).toBe(200);
      await db.query('INSERT INTO migrations (id, timestamp, name) VALUES ($1, $2, $3)', [
        last.id,
        last.timestamp,
        last.name,
      ]);
      expect((await t.api.get('/health/ready')).status).toBe(200);
    } finally {
      await db.end();
    }
  });
});

describe('readiness when the database server is stopped', () => {
  it('goes 503 while liveness stays 200', async () => {
    // A throwaway cluster of its own: the suite's shared cluster keeps running.
    const root = tempDir('gatehouse-ready-');
    const directory = join(root, 'pg');
    const cluster = await startEmbeddedDatabase({ directory, throwaway: true });
    const t = await startTestApp({
      database: { name: 'gatehouse', url: cluster.url },
    });
    let stopped = false;
    try {
      expect((await t.api.get('/health/ready')).status).toBe(200);
      await cluster.stop();
      stopped = true;
      const ready = await t.api.get('/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body).toEqual({
        status: 'error',
        checks: { database: 'down', migrations: 'down' },
      });
      expect((await t.api.get('/health')).status).toBe(503);
      expect((await t.api.get('/health/live')).status).toBe(200);
    } finally {
      await t.close();
      if (!stopped) await cluster.stop();
    }
  }, 60_000);
});
