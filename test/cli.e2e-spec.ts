import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedDatabase } from '../src/database/embedded-database.js';
import { startTestApp, type TestApp } from './app.js';
import { expectOneLineError, runCli } from './cli.js';
import { tempDir } from './temp-dirs.js';
import { login, passwordGrant, registerUser } from './factories.js';
import { stepOf, totpAt } from './totp.js';

/**
 * The `gatehouse` CLI as an operator runs it: a process of its own on the server's database, each
 * command's effect seen by a client over HTTP. CLI start-up costs seconds, so independent commands run
 * side by side and each test covers several.
 */
/** Each CLI run boots the application's module in a process of its own: seconds, on a busy machine more. */
const SLOW = 300_000;

describe('gatehouse CLI', () => {
  let t: TestApp;
  const cli = (args: string[], stdin?: string) =>
    runCli(args, { env: { DATABASE_URL: t.database.url }, stdin });
  const me = (token: string) => t.api.get('/users/me', { token });
  const admin = {
    email: `root-${Date.now()}@example.com`,
    username: 'root_operator',
    password: 'a long and uncommon passphrase',
  };
  let adminToken: string;

  beforeAll(async () => {
    t = await startTestApp({ env: { LOCKOUT_THRESHOLD: '3' } });
  }, SLOW);
  afterAll(async () => {
    await t.close();
    delete process.env.LOCKOUT_THRESHOLD;
  });

  it(
    'creates the first admin (policy and validation as on registration) and sets roles',
    async () => {
      const [created, common, noPassword] = await Promise.all([
        cli(
          [
            'users',
            'create',
            '--email',
            admin.email,
            '--username',
            admin.username,
            '--role',
            'admin',
            '--password-stdin',
            '--json',
          ],
          `${admin.password}\n`,
        ),
        cli(
          [
            'users',
            'create',
            '--email',
            'c@example.com',
            '--username',
            'commoner',
            '--password-stdin',
          ],
          'password123',
        ),
        cli(['users', 'create', '--email', 'd@example.com', '--username', 'nopass']),
      ]);
      expect(created.code).toBe(0);
      expect(created.json).toMatchObject({
        username: admin.username,
        roles: ['admin'],
        is_active: true,
        locked_until: null,
        failed_login_count: 0,
      });
      expect(common.code).toBe(1);
      expectOneLineError(common, /most common passwords/);
      expect(noPassword.code).toBe(2);
      expectOneLineError(noPassword, /--password-stdin or --generate-password/);

      const tokens = await login(t.api, admin);
      expect(tokens.scope.split(' ')).toContain('write:users');
      adminToken = tokens.access_token;

      const alice = await registerUser(t.api);
      const [setRole, badRole] = await Promise.all([
        cli(['users', 'set-role', alice.username, 'editor', '--json']),
        cli(['users', 'set-role', alice.username, 'superuser']),
      ]);
      expect(setRole.code).toBe(0);
      expect(setRole.json.roles).toEqual(['editor']);
      expect(badRole.code).toBe(2);
      expect((await login(t.api, alice)).scope.split(' ')).toContain('read:users');
    },
    SLOW,
  );

  it(
    'disable, enable, end-sessions and set-password: the user’s tokens stop on the next request',
    async () => {
      const alice = await registerUser(t.api);
      const first = await login(t.api, alice);
      expect((await me(first.access_token)).status).toBe(200);

      expect((await cli(['users', 'disable', alice.email])).code).toBe(0);
      expect((await me(first.access_token)).status).toBe(401);
      expect((await passwordGrant(t.api, alice)).status).toBe(400);

      const enabled = await cli(['users', 'enable', alice.id, '--json']);
      expect(enabled.json).toMatchObject({ id: alice.id, is_active: true });
      const second = await login(t.api, alice);
      const ended = await cli(['users', 'end-sessions', alice.username, '--json']);
      expect(ended.json).toMatchObject({ sessions_ended: 1 });
      expect((await me(second.access_token)).status).toBe(401);

      const third = await login(t.api, alice);
      const newPassword = 'a brand new passphrase for alice';
      const set = await cli(
        ['users', 'set-password', alice.username, '--password-stdin', '--json'],
        newPassword,
      );
      expect(set.code).toBe(0);
      expect(set.json).toMatchObject({ sessions_ended: 1 });
      expect(set.json.password).toBeUndefined();
      expect((await me(third.access_token)).status).toBe(401);
      const refresh = await t.api.post('/auth/refresh', {
        json: { refresh_token: third.refresh_token },
      });
      expect(refresh.status).toBe(401);
      expect((await passwordGrant(t.api, alice)).status).toBe(400);
      expect((await passwordGrant(t.api, { ...alice, password: newPassword })).status).toBe(200);
    },
    SLOW,
  );

  it(
    'shows a lockout (CLI and admin view) and unlocks it',
    async () => {
      const bob = await registerUser(t.api);
      const wrong = { ...bob, password: 'not the password' };
      expect((await passwordGrant(t.api, wrong)).status).toBe(400);
      const view = await t.api.get(`/admin/users/${bob.id}`, { token: adminToken });
      expect(view.body).toMatchObject({ failed_login_count: 1, locked_until: null });
      for (let i = 0; i < 2; i++) await passwordGrant(t.api, wrong);
      expect((await passwordGrant(t.api, bob)).status).toBe(400);

      const shown = await cli(['users', 'show', bob.username, '--json']);
      expect(new Date(shown.json.locked_until).getTime()).toBeGreaterThan(Date.now());
      const adminView = await t.api.get(`/admin/users/${bob.id}`, { token: adminToken });
      expect(adminView.body.locked_until).toBe(shown.json.locked_until);

      expect((await cli(['users', 'unlock', bob.username])).code).toBe(0);
      expect((await passwordGrant(t.api, bob)).status).toBe(200);
    },
    SLOW,
  );

  it(
    'send-reset queues the same reset mail as /auth/password/forgot, to the user’s address',
    async () => {
      const dave = await registerUser(t.api);
      const sent = await cli(['users', 'send-reset', dave.username, '--json']);
      expect(sent).toMatchObject({ code: 0, json: { id: dave.id, reset_mail_queued: true } });
      const db = new pg.Client({ connectionString: t.database.url });
      await db.connect();
      try {
        const { rows } = await db.query(
          "SELECT kind FROM mail_outbox WHERE recipient = $1 AND kind LIKE '%reset%'",
          [dave.email],
        );
        expect(rows).toHaveLength(1);
      } finally {
        await db.end();
      }
    },
    SLOW,
  );

  it(
    'reset-2fa, api-keys list/revoke, delete; the last admin stays; errors are one line',
    async () => {
      const carol = await registerUser(t.api);
      const tokens = await login(t.api, carol);
      const setup = await t.api.post('/auth/2fa/setup', { token: tokens.access_token });
      const enable = await t.api.post('/auth/2fa/enable', {
        token: tokens.access_token,
        json: { code: totpAt(setup.body.secret, stepOf(Date.now())) },
      });
      expect(enable.status).toBe(200);
      expect((await passwordGrant(t.api, carol)).status).toBe(403);
      const created = await t.api.post('/api-keys', {
        token: tokens.access_token,
        json: { name: 'ci', scopes: ['read:items'] },
      });
      expect(created.status).toBe(201);

      const [reset, keys] = await Promise.all([
        cli(['users', 'reset-2fa', carol.username, '--json']),
        cli(['api-keys', 'list', '--user', carol.email, '--json']),
      ]);
      expect(reset.json).toMatchObject({ two_factor_enabled: false });
      expect(keys.json.items).toEqual([
        expect.objectContaining({ id: created.body.id, user_id: carol.id, revoked_at: null }),
      ]);
      expect(JSON.stringify(keys.json)).not.toContain(created.body.key);
      expect((await passwordGrant(t.api, carol)).status).toBe(200);

      const withKey = () => t.api.get('/users/me', { headers: { 'x-api-key': created.body.key } });
      expect((await withKey()).status).toBe(200);
      expect((await cli(['api-keys', 'revoke', created.body.id])).code).toBe(0);
      expect((await withKey()).status).toBe(401);

      const [deleted, lastAdmin] = await Promise.all([
        cli(['users', 'delete', carol.username, '--json']),
        cli(['users', 'disable', admin.username, '--json']),
      ]);
      expect(deleted.json).toMatchObject({ id: carol.id, deleted: true });
      expect((await passwordGrant(t.api, carol)).status).toBe(400);
      expect(lastAdmin.code).toBe(1);
      expectOneLineError(lastAdmin, /last active admin/);
      expect(lastAdmin.json).toEqual({
        error: { code: 'LAST_ADMIN', message: expect.any(String) },
      });
    },
    SLOW,
  );

  it(
    'audit tail names the actor cli, verify passes; usage errors exit 2, --help 0',
    async () => {
      const [tail, verify, help, subHelp, unknown, group, missing] = await Promise.all([
        cli(['audit', 'tail', '-n', '500', '--json']),
        cli(['audit', 'verify', '--json']),
        cli(['--help']),
        cli(['users', 'set-password', '--help']),
        cli(['frobnicate']),
        cli(['users']),
        cli(['users', 'show']),
      ]);
      const byCli = (tail.json as Array<{ type: string; actor_id: string | null; details: any }>)
        .filter((event) => event.details.actor === 'cli')
        .map((event) => event.type);
      expect(new Set(byCli)).toEqual(
        new Set([
          'user.created',
          'user.roles_changed',
          'user.status_changed',
          'sessions.revoked',
          'password.changed',
          'account.unlocked',
          '2fa.reset',
          'api_key.revoked',
          'user.deleted',
        ]),
      );
      const audit = await t.api.get(`/admin/audit?type=user.created&limit=5`, {
        token: adminToken,
      });
      expect(audit.body.items[0]).toMatchObject({ actor_id: null, details: { actor: 'cli' } });
      expect(verify).toMatchObject({ code: 0, json: { valid: true, problems: [] } });
      expect(help).toMatchObject({ code: 0, stdout: expect.stringContaining('Usage: gatehouse') });
      expect(subHelp.code).toBe(0);
      expect(subHelp.stdout).toContain('--password-stdin');
      for (const usage of [unknown, missing]) {
        expect(usage.code).toBe(2);
        expectOneLineError(usage, /unknown command|missing required argument/);
      }
      expect(group.code).toBe(2);
    },
    SLOW,
  );

  it(
    'clients create|list|delete: the printed secret gets tokens over HTTP until the client is deleted',
    async () => {
      const [json, human, unknownScope, noScope, help] = await Promise.all([
        cli([
          'clients',
          'create',
          '--name',
          'billing',
          '--scope',
          'read:items',
          'write:items',
          '--json',
        ]),
        cli(['clients', 'create', '--name', 'reports', '--scope', 'read:items,read:users']),
        cli(['clients', 'create', '--name', 'odd', '--scope', 'read:items', 'not:a-scope']),
        cli(['clients', 'create', '--name', 'odd']),
        cli(['clients', 'create', '--help']),
      ]);
      expect(json.code).toBe(0);
      expect(json.json).toEqual({
        client_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        client_secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        name: 'billing',
        scopes: ['read:items', 'write:items'],
        created_at: expect.any(String),
      });
      const billing = { id: json.json.client_id, secret: json.json.client_secret };
      // What an operator copies from the human form.
      expect(human.code).toBe(0);
      expect(human.stdout).toMatch(/shown this once and cannot be shown again/);
      const reports = {
        id: /^client_id: +(\S+)$/m.exec(human.stdout)![1],
        secret: /^client_secret: +(\S+)$/m.exec(human.stdout)![1],
      };
      expect(unknownScope.code).toBe(1);
      expectOneLineError(unknownScope, /each scope must be a known permission/);
      expect(noScope.code).toBe(2);
      expectOneLineError(noScope, /--scope/);
      expect(help).toMatchObject({ code: 0, stdout: expect.stringContaining('manage:clients') });

      const grant = (client: { id: string; secret: string }) =>
        t.api.post('/auth/token', {
          form: {
            grant_type: 'client_credentials',
            client_id: client.id,
            client_secret: client.secret,
          },
        });
      const [billingGrant, reportsGrant] = await Promise.all([grant(billing), grant(reports)]);
      expect(billingGrant.status).toBe(200);
      expect(billingGrant.body.scope).toBe('read:items write:items');
      expect(reportsGrant.status).toBe(200);
      expect(reportsGrant.body.scope).toBe('read:items read:users');
      const greet = (token: string) => t.api.get('/api/private', { token });
      const greeting = await greet(billingGrant.body.access_token);
      expect(greeting.status).toBe(200);
      expect(greeting.body.client_id).toBe(billing.id);

      const [listed, table] = await Promise.all([
        cli(['clients', 'list', '--limit', '100', '--json']),
        cli(['clients', 'list']),
      ]);
      expect(listed.json.items).toEqual(
        expect.arrayContaining([
          {
            client_id: billing.id,
            name: 'billing',
            scopes: ['read:items', 'write:items'],
            created_at: json.json.created_at,
          },
          expect.objectContaining({ client_id: reports.id, name: 'reports' }),
        ]),
      );
      expect(table.stdout).toMatch(new RegExp(`${billing.id} +billing +read:items write:items`));
      expect(table.stdout).toContain('2 client(s)');
      for (const secret of [billing.secret, reports.secret])
        expect(listed.stdout + table.stdout).not.toContain(secret);

      const [deleted, absent] = await Promise.all([
        cli(['clients', 'delete', billing.id, '--json']),
        cli(['clients', 'delete', '00000000-0000-4000-8000-000000000000']),
      ]);
      expect(deleted).toMatchObject({ code: 0, json: { client_id: billing.id, deleted: true } });
      expect(absent.code).toBe(1);
      expectOneLineError(absent, /no OAuth client with id "00000000-0000-4000-8000-000000000000"/);
      expect((await greet(billingGrant.body.access_token)).status).toBe(401);
      expect((await grant(billing)).status).toBe(401);
      expect((await greet(reportsGrant.body.access_token)).status).toBe(200);

      for (const [type, clientId] of [
        ['oauth_client.created', reports.id],
        ['oauth_client.deleted', billing.id],
      ]) {
        const audit = await t.api.get(`/admin/audit?type=${type}&limit=10`, { token: adminToken });
        expect(audit.body.items).toContainEqual(
          expect.objectContaining({
            actor_id: null,
            details: expect.objectContaining({ actor: 'cli', client_id: clientId }),
          }),
        );
      }
    },
    SLOW,
  );

  it(
    'sessions prune deletes sessions that ended days ago; active ones and recent ends stay',
    async () => {
      const owner = await registerUser(t.api);
      const [active, revokedLongAgo, expiredLongAgo, revokedLately] = [
        await login(t.api, owner),
        await login(t.api, owner),
        await login(t.api, owner),
        await login(t.api, owner),
      ];
      const db = new pg.Client({ connectionString: t.database.url });
      await db.connect();
      try {
        const sessionOf = async (tokens: { access_token: string }) =>
          (await t.api.get('/auth/sessions', { token: tokens.access_token })).body.find(
            (session: { current: boolean }) => session.current,
          ).id as string;
        const [activeId, revokedId, expiredId, lateId] = await Promise.all(
          [active, revokedLongAgo, expiredLongAgo, revokedLately].map(sessionOf),
        );
        // Ended 31 days ago, 31 days ago and yesterday, the way logout and expiry leave a row.
        await db.query(
          `UPDATE sessions SET revoked_at = now() - interval '31 days' WHERE id = $1`,
          [revokedId],
        );
        await db.query(
          `UPDATE sessions SET created_at = now() - interval '40 days',
                               expires_at = now() - interval '31 days' WHERE id = $1`,
          [expiredId],
        );
        await db.query(`UPDATE sessions SET revoked_at = now() - interval '1 day' WHERE id = $1`, [
          lateId,
        ]);

        const [tooRecent, missing] = await Promise.all([
          cli(['sessions', 'prune', '--older-than-days', '1']),
          cli(['sessions', 'prune']),
        ]);
        expect(tooRecent.code).toBe(2);
        expectOneLineError(tooRecent, /--older-than-days.*from 2/);
        expect(missing.code).toBe(2);
        expectOneLineError(missing, /--older-than-days/);

        const pruned = await cli(['sessions', 'prune', '--older-than-days', '30', '--json']);
        expect(pruned.code).toBe(0);
        expect(pruned.json).toEqual({ deleted: 2, ended_before: expect.any(String) });
        expect(Date.now() - Date.parse(pruned.json.ended_before)).toBeGreaterThanOrEqual(
          30 * 86_400_000,
        );
        const { rows } = await db.query<{ id: string }>(
          `SELECT id FROM sessions WHERE user_id = $1 ORDER BY id`,
          [owner.id],
        );
        expect(rows.map((row) => row.id)).toEqual([activeId, lateId].sort());

        const again = await cli(['sessions', 'prune', '--older-than-days', '30']);
        expect(again.stdout).toMatch(/^No session ended before \S+; nothing deleted\.\n$/);
        // What a client sees: the active session works and refreshes; a pruned one stays refused.
        expect((await me(active.access_token)).status).toBe(200);
        const refresh = (tokens: { refresh_token: string }) =>
          t.api.post('/auth/refresh', { json: { refresh_token: tokens.refresh_token } });
        expect((await refresh(active)).status).toBe(200);
        const refused = await refresh(revokedLongAgo);
        expect(refused.status).toBe(401);
        expect(refused.body.code).toBe('INVALID_REFRESH_TOKEN');
        expect((await refresh(expiredLongAgo)).status).toBe(401);
      } finally {
        await db.end();
      }
    },
    SLOW,
  );

  it(
    'mail prune deletes mails sent or given up days ago; pending mails and recent ones stay',
    async () => {
      const db = new pg.Client({ connectionString: t.database.url });
      await db.connect();
      try {
        // `finished`: when it was sent, or when the attempt that gave it up was due. Pending
        // rows are not due for a day, so the test app's sender leaves them alone.
        const queue = async (status: string, queued: string, finished: string | null) =>
          (
            await db.query<{ id: string }>(
              `INSERT INTO mail_outbox (kind, recipient, status, created_at, sent_at, next_attempt_at)
               VALUES ('password_changed', $1, $2, now() - $3::interval,
                       CASE WHEN $2 = 'sent' THEN now() - $4::interval END,
                       CASE WHEN $2 = 'failed' THEN now() - $4::interval
                            ELSE now() + interval '1 day' END)
               RETURNING id`,
              [`prune-${randomBytes(4).toString('hex')}@example.com`, status, queued, finished],
            )
          ).rows[0].id;
        const sentLongAgo = await queue('sent', '32 days', '31 days');
        const failedLongAgo = await queue('failed', '32 days', '31 days');
        const pendingLongAgo = await queue('pending', '32 days', null);
        const sentLately = await queue('sent', '1 day', '1 day');
        // Queued long ago, held up (an outage, retries), sent only yesterday: still recent.
        const sentLateAfterOutage = await queue('sent', '40 days', '1 day');
        const mine = [sentLongAgo, failedLongAgo, pendingLongAgo, sentLately, sentLateAfterOutage];
        const left = async () =>
          (
            await db.query<{ id: string }>(
              `SELECT id FROM mail_outbox WHERE id = ANY($1) ORDER BY id`,
              [mine],
            )
          ).rows.map((row) => row.id);
        const others = (
          await db.query<{ id: string }>(`SELECT id FROM mail_outbox WHERE NOT (id = ANY($1))`, [
            mine,
          ])
        ).rows.map((row) => row.id);

        const [tooRecent, missing] = await Promise.all([
          cli(['mail', 'prune', '--older-than-days', '0']),
          cli(['mail', 'prune']),
        ]);
        expect(tooRecent.code).toBe(2);
        expectOneLineError(tooRecent, /--older-than-days.*from 1/);
        expect(missing.code).toBe(2);
        expectOneLineError(missing, /--older-than-days/);
        expect(await left()).toEqual([...mine].sort());

        const pruned = await cli(['mail', 'prune', '--older-than-days', '30', '--json']);
        expect(pruned.code).toBe(0);
        expect(pruned.json).toEqual({ deleted: 2, finished_before: expect.any(String) });
        expect(Date.now() - Date.parse(pruned.json.finished_before)).toBeGreaterThanOrEqual(
          30 * 86_400_000,
        );
        expect(await left()).toEqual([pendingLongAgo, sentLately, sentLateAfterOutage].sort());
        // Mails the other tests queued minutes ago stay too.
        const othersLeft = await db.query(`SELECT count(*) FROM mail_outbox WHERE id = ANY($1)`, [
          others,
        ]);
        expect(Number(othersLeft.rows[0].count)).toBe(others.length);

        const again = await cli(['mail', 'prune', '--older-than-days', '30']);
        expect(again.code).toBe(0);
        expect(again.stdout).toMatch(/^No mail finished before \S+; nothing deleted\.\n$/);
      } finally {
        await db.end();
      }
    },
    SLOW,
  );

  it(
    'keys rotate refuses HS secrets in one line; under ES256 it publishes a key that signs later',
    async () => {
      const es256 = {
        DATABASE_URL: t.database.url,
        ALGORITHM: 'ES256',
        SIGNING_KEY_ENCRYPTION_KEY: randomBytes(48).toString('base64url'),
      };
      const [hsList, hsRotate, rotated] = await Promise.all([
        cli(['keys', 'list', '--json']),
        cli(['keys', 'rotate']),
        runCli(['keys', 'rotate', '--json'], { env: es256 }),
      ]);
      // The HS secret's kid is the one in the tokens' headers.
      const header = JSON.parse(Buffer.from(adminToken.split('.')[0], 'base64url').toString());
      expect(hsList.json).toEqual([
        expect.objectContaining({ kid: header.kid, algorithm: 'HS256', state: 'active' }),
      ]);
      expect(hsRotate.code).toBe(1);
      expectOneLineError(hsRotate, /keys rotate needs a key-pair ALGORITHM .*docs\/tokens\.md/);

      expect(rotated.code).toBe(0);
      expect(rotated.json).toMatchObject({ algorithm: 'ES256', state: 'pending' });
      const { kid, created_at, activates_at } = rotated.json;
      // Published now, signing after SIGNING_KEY_PUBLISH_SECONDS (600 by default).
      expect(Date.parse(activates_at) - Date.parse(created_at)).toBe(600_000);

      const [listed, table] = await Promise.all([
        runCli(['keys', 'list', '--json'], { env: es256 }),
        runCli(['keys', 'list'], { env: es256 }),
      ]);
      expect(listed.json).toEqual([
        expect.objectContaining({ kid, state: 'pending', activates_at }),
        expect.objectContaining({ algorithm: 'ES256', state: 'active' }),
      ]);
      expect(Date.parse(listed.json[1].activates_at)).toBeLessThan(Date.parse(activates_at));
      expect(table.stdout).toMatch(
        new RegExp(`${kid} +ES256 +pending +${created_at} +${activates_at}`),
      );

      const audit = await t.api.get('/admin/audit?type=signing_key.rotated&limit=5', {
        token: adminToken,
      });
      expect(audit.body.items[0]).toMatchObject({
        actor_id: null,
        details: { actor: 'cli', kid, reason: 'manual' },
      });
    },
    SLOW,
  );
});

describe('gatehouse CLI on the embedded database of a checkout', () => {
  const dataDir = tempDir('gatehouse-cli-');
  const cli = (args: string[]) =>
    runCli(args, { env: { DATABASE_URL: undefined, GATEHOUSE_DATA_DIR: dataDir } });
  const pidFile = join(dataDir, 'pg', 'postmaster.pid');

  it(
    'starts a stopped cluster for the command and stops it; shares one that is running',
    async () => {
      const migrated = await cli(['db', 'migrate', '--json']);
      expect(migrated.code).toBe(0);
      expect(migrated.json.applied.length).toBeGreaterThan(0);
      const created = await cli([
        'users',
        'create',
        '--email',
        'first@example.com',
        '--username',
        'first_admin',
        '--role',
        'admin',
        '--generate-password',
        '--json',
      ]);
      expect(created.code).toBe(0);
      expect(created.json.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
      expect(existsSync(pidFile)).toBe(false);

      // As while `npm start` runs: the cluster is up, the CLI uses it and leaves it running.
      const running = await startEmbeddedDatabase({ directory: join(dataDir, 'pg') });
      try {
        const [listed, status] = await Promise.all([
          cli(['users', 'list']),
          cli(['db', 'status', '--json']),
        ]);
        expect(listed.stdout).toMatch(/first_admin +first@example\.com +admin +true/);
        expect(listed.stdout).toContain('1 user(s)');
        expect(status).toMatchObject({ code: 0, json: { pending: [], up_to_date: true } });
        expect(existsSync(pidFile)).toBe(true);
      } finally {
        await running.stop();
      }
    },
    SLOW,
  );
});
