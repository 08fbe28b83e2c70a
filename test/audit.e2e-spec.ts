import { execFile } from 'node:child_process';
import pg from 'pg';
import { startTestApp, type TestApp } from './app.js';
import { login, passwordGrant, registerUser, setRoles, type TestUser } from './factories.js';
import { decodeJwt } from './jwt.js';
import { stepOf, totpAt } from './totp.js';

/** A row as stored, created_at as text (a JS Date would drop its microseconds, and the hash covers them). */
const EXACT_ROW =
  'id, seq, type, user_id, actor_id, session_id, ip, user_agent, details, created_at::text AS created_at, prev_hash, hash';

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The documented command (`gatehouse audit ...`; `npm run audit:verify` / `audit:prune` run it too). */
function auditCli(databaseUrl: string, ...args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/gatehouse.js', 'audit', ...args],
      { env: { ...process.env, DATABASE_URL: databaseUrl } },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error.code as number) ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('audit trail', () => {
  let t: TestApp;
  let db: pg.Client;
  let admin: TestUser;
  let adminToken: string;

  const audit = async (query: string) => {
    const response = await t.api.get(`/admin/audit?${query}`, { token: adminToken });
    expect(response.status).toBe(200);
    return response.body as { items: Array<Record<string, any>>; total: number };
  };
  const eventsOf = async (userId: string, type?: string) =>
    (await audit(`user_id=${userId}&limit=100${type ? `&type=${type}` : ''}`)).items;

  beforeAll(async () => {
    t = await startTestApp({ env: { LOCKOUT_THRESHOLD: '3' } });
    db = new pg.Client({ connectionString: t.database.url });
    await db.connect();
    admin = await registerUser(t.api);
    await setRoles(db, admin, ['admin']);
    adminToken = (await login(t.api, admin)).access_token;
  });
  afterAll(async () => {
    await db.end();
    await t.close();
    delete process.env.LOCKOUT_THRESHOLD;
  });

  describe('every event type is recorded and can be read back', () => {
    it('login succeeded and failed (with the reason, never the password); unknown users too', async () => {
      const user = await registerUser(t.api);
      const wrong = await passwordGrant(t.api, {
        username: user.username,
        password: 'Wr0ng-guess!',
      });
      expect(wrong.status).toBe(400);
      const unknown = await passwordGrant(t.api, {
        username: 'nobody-at-all',
        password: 'An0ther-guess!',
      });
      expect(unknown.status).toBe(400);
      const ok = await t.api.post('/auth/token', {
        form: { grant_type: 'password', username: user.username, password: user.password },
        headers: { 'user-agent': 'audit-spec/1.0' },
      });
      expect(ok.status).toBe(200);

      const events = await eventsOf(user.id);
      expect(events.map((e) => e.type)).toEqual(['login.succeeded', 'login.failed']);
      expect(events[0]).toMatchObject({
        user_id: user.id,
        session_id: decodeJwt(ok.body.access_token).sid,
        ip: '127.0.0.1',
        user_agent: 'audit-spec/1.0',
      });
      expect(events[1].details).toEqual({ reason: 'password' });
      const failures = (await audit('type=login.failed&limit=100')).items;
      expect(failures).toContainEqual(
        expect.objectContaining({ user_id: null, details: { reason: 'unknown_user' } }),
      );
      const { rows } = await db.query('SELECT * FROM security_events');
      const stored = JSON.stringify(rows);
      for (const secret of ['Wr0ng-guess!', 'An0ther-guess!', 'nobody-at-all', user.password])
        expect(stored).not.toContain(secret);
    });

    it('lockout and unlock, with the admin as actor', async () => {
      const user = await registerUser(t.api);
      for (let i = 0; i < 3; i++)
        await passwordGrant(t.api, { username: user.username, password: 'nope' });
      expect(
        (await t.api.post(`/admin/users/${user.id}/unlock`, { token: adminToken })).status,
      ).toBe(204);
      const events = await eventsOf(user.id, 'account.locked,account.unlocked');
      expect(events.map((e) => [e.type, e.actor_id])).toEqual([
        ['account.unlocked', admin.id],
        ['account.locked', null],
      ]);
    });

    it('refresh, refresh-token reuse, logout, and each way of ending sessions', async () => {
      const user = await registerUser(t.api);
      const first = await login(t.api, user);
      const refreshed = await t.api.post('/auth/refresh', {
        json: { refresh_token: first.refresh_token },
      });
      expect(refreshed.status).toBe(200);
      // The replayed token ends the session.
      expect(
        (await t.api.post('/auth/refresh', { json: { refresh_token: first.refresh_token } }))
          .status,
      ).toBe(401);
      const second = await login(t.api, user);
      expect((await t.api.post('/auth/logout', { token: second.access_token })).status).toBe(204);
      const third = await login(t.api, user);
      const fourth = await login(t.api, user);
      expect(
        (
          await t.api.request('DELETE', `/auth/sessions/${decodeJwt(third.access_token).sid}`, {
            token: fourth.access_token,
          })
        ).status,
      ).toBe(204);
      expect(
        (await t.api.post('/auth/revoke', { form: { token: fourth.refresh_token } })).status,
      ).toBe(200);
      const fifth = await login(t.api, user);
      await login(t.api, user);
      expect(
        (await t.api.request('DELETE', '/auth/sessions', { token: fifth.access_token })).status,
      ).toBe(204);
      expect(
        (await t.api.request('DELETE', `/admin/users/${user.id}/sessions`, { token: adminToken }))
          .status,
      ).toBe(204);

      const events = (await eventsOf(user.id)).filter((e) => e.type !== 'login.succeeded');
      expect(events.map((e) => [e.type, e.details.reason ?? null, e.actor_id]).reverse()).toEqual([
        ['token.refreshed', null, null],
        ['refresh_token.reused', null, null],
        ['logout', null, null],
        ['session.revoked', 'user', null],
        ['session.revoked', 'token_revocation', null],
        ['sessions.revoked', 'user', null],
        ['sessions.revoked', 'admin', admin.id],
      ]);
      expect(events.find((e) => e.type === 'logout')?.session_id).toBe(
        decodeJwt(second.access_token).sid,
      );
      expect(events[1].details.count).toBe(1); // the user's own "end the others" ended one
    });

    it('password changed (and failed attempts to), its sessions ending', async () => {
      const user = await registerUser(t.api);
      const tokens = await login(t.api, user);
      const bad = await t.api.post('/auth/password/change', {
        token: tokens.access_token,
        json: { current_password: 'not-it-at-all', new_password: 'a-Brand-new-passw0rd!' },
      });
      expect(bad.status).toBe(400);
      const good = await t.api.post('/auth/password/change', {
        token: tokens.access_token,
        json: { current_password: user.password, new_password: 'a-Brand-new-passw0rd!' },
      });
      expect(good.status).toBe(204);
      const types = (await eventsOf(user.id)).map((e) => [e.type, e.details.reason ?? null]);
      expect(types).toEqual([
        ['sessions.revoked', 'password_change'],
        ['password.changed', null],
        ['password.change_failed', 'current_password'],
        ['login.succeeded', null],
      ]);
      const stored = JSON.stringify((await db.query('SELECT * FROM security_events')).rows);
      expect(stored).not.toContain('a-Brand-new-passw0rd!');
      expect(stored).not.toContain('not-it-at-all');
    });

    it('role, permission and status changes and deletion by an admin name actor and target', async () => {
      const user = await registerUser(t.api);
      const patch = (json: unknown) =>
        t.api.patch(`/admin/users/${user.id}`, { token: adminToken, json });
      expect((await patch({ roles: ['editor'] })).status).toBe(200);
      expect((await patch({ permissions: ['read:audit'] })).status).toBe(200);
      expect((await patch({ is_active: false })).status).toBe(200);
      expect((await patch({ full_name: 'Only A Name' })).status).toBe(200); // no security event
      expect(
        (await t.api.request('DELETE', `/admin/users/${user.id}`, { token: adminToken })).status,
      ).toBe(204);
      const byAdmin = (await audit(`actor_id=${admin.id}&limit=100`)).items.filter(
        (e) => e.user_id === user.id,
      );
      expect(byAdmin.map((e) => [e.type, e.details]).reverse()).toEqual([
        ['user.roles_changed', { from: 'user', to: 'editor' }],
        ['user.permissions_changed', { from: '', to: 'read:audit' }],
        ['user.status_changed', { is_active: false }],
        ['user.deleted', { username: user.username }],
      ]);
    });
  });

  describe('reading', () => {
    it('API keys created and revoked, two-factor enabled and reset by an admin', async () => {
      const user = await registerUser(t.api);
      const { access_token } = await login(t.api, user);
      const created = await t.api.post('/api-keys', {
        token: access_token,
        json: { name: 'ci', scopes: [] },
      });
      expect(created.status).toBe(201);
      expect(
        (await t.api.request('DELETE', `/api-keys/${created.body.id}`, { token: access_token }))
          .status,
      ).toBe(204);
      const setup = await t.api.post('/auth/2fa/setup', { token: access_token });
      const enable = await t.api.post('/auth/2fa/enable', {
        token: access_token,
        json: { code: totpAt(setup.body.secret, stepOf(Date.now())) },
      });
      expect(enable.status).toBe(200);
      const reset = await t.api.request('DELETE', `/admin/users/${user.id}/2fa`, {
        token: adminToken,
      });
      expect(reset.status).toBe(204);

      const types = (await eventsOf(user.id)).map((event) => event.type);
      for (const type of ['api_key.created', 'api_key.revoked', '2fa.enabled', '2fa.reset']) {
        expect(types).toContain(type);
      }
      const [resetEvent] = await eventsOf(user.id, '2fa.reset');
      expect(resetEvent.actor_id).toBe(admin.id);
      const stored = JSON.stringify(await eventsOf(user.id));
      expect(stored).not.toContain(created.body.key);
      expect(stored).not.toContain(setup.body.secret);
    });

    it('filters by type list and time range, pages, and needs read:audit', async () => {
      const user = await registerUser(t.api);
      const before = new Date().toISOString();
      await passwordGrant(t.api, { username: user.username, password: 'x' });
      await login(t.api, user);
      const between = (await db.query(`SELECT now() AS at`)).rows[0].at.toISOString();
      await passwordGrant(t.api, { username: user.username, password: 'y' });

      const all = await audit(`user_id=${user.id}&type=login.failed,login.succeeded`);
      expect(all.total).toBe(3);
      const paged = await audit(`user_id=${user.id}&limit=1&page=2`);
      expect(paged).toMatchObject({ total: 3, page: 2, limit: 1 });
      expect(paged.items).toHaveLength(1);
      expect(paged.items[0].type).toBe('login.succeeded');
      const early = await audit(`user_id=${user.id}&from=${before}&to=${between}`);
      expect(early.items.map((e) => e.type)).toEqual(['login.succeeded', 'login.failed']);

      for (const bad of ['type=no.such', 'user_id=not-a-uuid', 'from=yesterday', 'limit=1000']) {
        const response = await t.api.get(`/admin/audit?${bad}`, { token: adminToken });
        expect({ bad, status: response.status }).toEqual({ bad, status: 400 });
      }
      const userToken = (await login(t.api, user)).access_token;
      const refused = await t.api.get('/admin/audit', { token: userToken });
      expect(refused.status).toBe(403);
      expect(refused.headers.get('www-authenticate')).toContain('scope="read:audit"');
      expect((await t.api.get('/admin/audit/verify', { token: userToken })).status).toBe(403);
    });

    it('GET /users/me/security-events shows a user only their own events, admins unnamed', async () => {
      const user = await registerUser(t.api);
      const other = await registerUser(t.api);
      await passwordGrant(t.api, { username: other.username, password: 'x' });
      await passwordGrant(t.api, { username: user.username, password: 'x' });
      await t.api.post(`/admin/users/${user.id}/unlock`, { token: adminToken });
      const response = await t.api.get('/users/me/security-events', {
        token: (await login(t.api, user)).access_token,
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toContain('no-store');
      expect(response.body.total).toBe(3);
      expect(response.body.items.map((e: { type: string }) => e.type)).toEqual([
        'login.succeeded',
        'account.unlocked',
        'login.failed',
      ]);
      expect(response.body.items[0]).toEqual({
        id: expect.any(String),
        type: 'login.succeeded',
        ip: '127.0.0.1',
        user_agent: expect.any(String),
        details: expect.any(Object),
        by_admin: false,
        created_at: expect.any(String),
      });
      // The admin's own address is not shown to the user.
      expect(response.body.items[1]).toMatchObject({ by_admin: true, ip: null, user_agent: null });
    });
  });

  describe('the hash chain', () => {
    const verify = async () => {
      const response = await t.api.get('/admin/audit/verify', { token: adminToken });
      expect(response.status).toBe(200);
      return response.body;
    };

    it('each row carries the previous row’s hash; the chain verifies by API and command', async () => {
      const rows = (
        await db.query('SELECT seq::int, prev_hash, hash FROM security_events ORDER BY seq')
      ).rows;
      expect(rows.length).toBeGreaterThan(20);
      expect(rows[0]).toMatchObject({ seq: 1, prev_hash: '0'.repeat(64) });
      for (let i = 1; i < rows.length; i++) {
        expect(rows[i].seq).toBe(rows[i - 1].seq + 1);
        expect(rows[i].prev_hash).toBe(rows[i - 1].hash);
      }
      const r0 = await verify();
      expect(r0).toMatchObject({ valid: true, checked: rows.length, problems: [] });
      const cli = await auditCli(t.database.url, 'verify');
      expect(cli.code).toBe(0);
      expect(cli.stdout).toContain(`Audit chain intact: ${rows.length} rows checked`);
    });

    it('stays one gapless chain under concurrent inserts from several connections', async () => {
      const clients = await Promise.all(
        [1, 2, 3, 4].map(async () => {
          const client = new pg.Client({ connectionString: t.database.url });
          await client.connect();
          return client;
        }),
      );
      try {
        const { rows } = await db.query('SELECT max(seq)::int AS top FROM security_events');
        // The connections insert concurrently; each one's inserts follow one another (pg queues
        // overlapping queries on one client, and pg 9 will refuse them).
        await Promise.all(
          clients.map(async (client, c) => {
            for (let i = 0; i < 15; i++) {
              await client.query(
                `INSERT INTO security_events (type, details) VALUES ('logout', $1)`,
                [JSON.stringify({ c, i })],
              );
            }
          }),
        );
        const after = await db.query(
          'SELECT count(*)::int AS n, max(seq)::int AS top FROM security_events WHERE seq > $1',
          [rows[0].top],
        );
        expect(after.rows[0]).toEqual({ n: 60, top: rows[0].top + 60 });
        expect((await verify()).valid).toBe(true);
      } finally {
        await Promise.all(clients.map((client) => client.end()));
      }
    });

    it('the table refuses UPDATE, DELETE and TRUNCATE', async () => {
      for (const sql of [
        `UPDATE security_events SET details = '{}' WHERE seq = 1`,
        'DELETE FROM security_events WHERE seq = 1',
        'TRUNCATE security_events',
      ]) {
        await expect(db.query(sql)).rejects.toThrow(/append-only/);
      }
    });

    it('an edited row fails verification, which names it; so does a deleted one', async () => {
      const victim = (
        await db.query(
          `SELECT id, seq::text, details FROM security_events WHERE type = 'login.failed' ORDER BY seq LIMIT 1`,
        )
      ).rows[0];
      await db.query('ALTER TABLE security_events DISABLE TRIGGER USER');
      try {
        await db.query(
          `UPDATE security_events SET details = '{"reason":"nothing"}' WHERE id = $1`,
          [victim.id],
        );
        const edited = await verify();
        expect(edited.valid).toBe(false);
        expect(edited.problems).toEqual([
          {
            seq: victim.seq,
            id: victim.id,
            problem: `row ${victim.id} (seq ${victim.seq}) was altered: its content no longer matches its hash`,
          },
        ]);
        const cli = await auditCli(t.database.url, 'verify');
        expect(cli.code).toBe(1);
        expect(cli.stderr).toContain(`row ${victim.id} (seq ${victim.seq}) was altered`);
        // Pruning refuses to erase the evidence.
        const prune = await auditCli(t.database.url, 'prune', '--older-than-days', '0');
        expect(prune.code).toBe(1);
        expect(prune.stderr).toContain('refusing to prune');
        await db.query('UPDATE security_events SET details = $2 WHERE id = $1', [
          victim.id,
          victim.details,
        ]);
        expect((await verify()).valid).toBe(true);

        const saved = (
          await db.query(`SELECT ${EXACT_ROW} FROM security_events WHERE seq = $1`, [
            Number(victim.seq) + 1,
          ])
        ).rows[0];
        await db.query('DELETE FROM security_events WHERE id = $1', [saved.id]);
        const deleted = await verify();
        expect(deleted.valid).toBe(false);
        expect(deleted.problems[0].problem).toBe(
          `the row with seq ${saved.seq} before row ${deleted.problems[0].id} (seq ${Number(saved.seq) + 1}) is missing (deleted)`,
        );
        const reinsert = async (row: Record<string, any>) => {
          const columns = Object.keys(row);
          await db.query(
            `INSERT INTO security_events (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`,
            columns.map((column) =>
              column === 'details' ? JSON.stringify(row[column]) : row[column],
            ),
          );
        };
        await reinsert(saved);
        expect((await verify()).valid).toBe(true);

        const last = (
          await db.query(`SELECT ${EXACT_ROW} FROM security_events ORDER BY seq DESC LIMIT 1`)
        ).rows[0];
        await db.query('DELETE FROM security_events WHERE id = $1', [last.id]);
        const tail = await verify();
        expect(tail.problems.map((p: { problem: string }) => p.problem)).toEqual([
          `rows with seq ${last.seq} to ${last.seq} at the end are missing (deleted)`,
        ]);
        await reinsert(last);
        expect((await verify()).valid).toBe(true);
      } finally {
        await db.query('ALTER TABLE security_events ENABLE TRIGGER USER');
      }
    });

    it('a failed write never fails the request it describes', async () => {
      const user = await registerUser(t.api);
      const head = (await db.query('SELECT * FROM security_event_chain')).rows[0];
      await db.query('DELETE FROM security_event_chain');
      try {
        expect((await passwordGrant(t.api, user)).status).toBe(200);
      } finally {
        await db.query(
          `INSERT INTO security_event_chain (id, last_seq, last_hash, pruned_through_seq, pruned_hash, pruned_at)
           VALUES ($1, $2, $3, $4, $5, $6)`,
          [
            head.id,
            head.last_seq,
            head.last_hash,
            head.pruned_through_seq,
            head.pruned_hash,
            head.pruned_at,
          ],
        );
      }
      expect(await eventsOf(user.id)).toEqual([]);
      expect((await verify()).valid).toBe(true);
    });

    it('pruning old rows keeps the rest verifiable and is itself recorded', async () => {
      const cutoff = (await db.query('SELECT clock_timestamp() AS at')).rows[0].at as Date;
      const user = await registerUser(t.api);
      await login(t.api, user);
      const { rows: old } = await db.query(
        'SELECT count(*)::int AS n, max(seq)::text AS top FROM security_events WHERE created_at < $1',
        [cutoff],
      );
      const prune = await auditCli(t.database.url, 'prune', '--before', cutoff.toISOString());
      expect(prune).toMatchObject({ code: 0 });
      expect(prune.stdout).toContain(`Pruned ${old[0].n} rows`);
      const report = await verify();
      expect(report).toMatchObject({ valid: true, anchor: { seq: old[0].top } });
      const left = await db.query('SELECT type, created_at FROM security_events ORDER BY seq');
      expect(left.rows.every((row: { created_at: Date }) => row.created_at >= cutoff)).toBe(true);
      const [pruned] = (await audit('type=audit.pruned')).items;
      expect(pruned.details).toMatchObject({
        rows: old[0].n,
        through_seq: Number(old[0].top),
        anchor_hash: report.anchor.hash,
      });
      expect((await eventsOf(user.id)).map((e) => e.type)).toEqual(['login.succeeded']);
      await login(t.api, user); // the chain goes on from there
      expect((await auditCli(t.database.url, 'verify')).code).toBe(0);
    });
  });
});
