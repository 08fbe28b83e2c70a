import pg from 'pg';
import { TwoFactorClock } from '../src/two-factor/two-factor-clock.js';
import { EmailTokenClock } from '../src/users/email-tokens.js';
import { startTestApp, type TestApp } from './app.js';
import { login, passwordGrant, registerUser, setRoles, type TestUser } from './factories.js';
import { TestMailServer } from './mail.js';
import { stepOf, totpAt } from './totp.js';

const APP_URL = 'https://id.example.test/account';
const METRICS_TOKEN = 'metrics-token-for-the-mail-spec-0123456789';
const RESET_SUBJECT = /Reset your Gatehouse password/;
const VERIFY_SUBJECT = /^Confirm your e-mail address/;
const CHANGE_SUBJECT = /^Confirm your new e-mail address/;
/** Under load (2 cores for the whole suite) a flow with several mails takes more than jest's 5 s. */
const SLOW = 30_000;
const NOTICE_CHANGED = /Your Gatehouse password was changed/;

describe('e-mail: reset, verification, address change, notices (real SMTP server)', () => {
  let t: TestApp;
  let db: pg.Client;
  const smtp = new TestMailServer();

  beforeAll(async () => {
    await smtp.start();
    t = await startTestApp({
      env: {
        SMTP_URL: smtp.url,
        APP_URL,
        MAIL_RETRY_BASE_SECONDS: '1',
        LOCKOUT_THRESHOLD: '3',
        REQUIRE_EMAIL_VERIFICATION: 'true',
        METRICS_TOKEN,
      },
    });
    db = new pg.Client({ connectionString: t.database.url });
    await db.connect();
  }, SLOW);
  afterAll(async () => {
    await db.end();
    await t.close();
    await smtp.stop();
    for (const name of [
      'SMTP_URL',
      'APP_URL',
      'MAIL_RETRY_BASE_SECONDS',
      'LOCKOUT_THRESHOLD',
      'REQUIRE_EMAIL_VERIFICATION',
      'METRICS_TOKEN',
    ])
      delete process.env[name];
  });

  /** A registered user whose address is verified (through the mailed link). */
  async function verifiedUser(): Promise<TestUser> {
    const user = await registerUser(t.api);
    const mail = await smtp.latest(user.email, VERIFY_SUBJECT);
    expect((await t.api.post('/auth/email/verify', { json: { token: mail.token } })).status).toBe(
      204,
    );
    return user;
  }

  async function resetMail(user: TestUser, count = 1) {
    expect((await forgot(user.email)).status).toBe(202);
    const mails = (await smtp.waitFor(user.email, count)).filter((m) =>
      RESET_SUBJECT.test(m.subject),
    );
    return mails[mails.length - 1];
  }

  const forgot = (email: string) => t.api.post('/auth/password/forgot', { json: { email } });
  const reset = (token: string | undefined, newPassword: string) =>
    t.api.post('/auth/password/reset', { json: { token, new_password: newPassword } });
  const newPassword = () => `new-${Math.random().toString(36).slice(2)}-Passphrase`;

  it(
    'registration mails a verification link; unverified password logins are 403 email_not_verified',
    async () => {
      const user = await registerUser(t.api);
      const mail = await smtp.latest(user.email, VERIFY_SUBJECT);
      expect(mail.link).toBe(`${APP_URL}/verify-email?token=${mail.token}`);
      expect(mail.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(mail.html).toContain(`href="${APP_URL}/verify-email?token=${mail.token}"`);

      const refused = await passwordGrant(t.api, user);
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ error: 'email_not_verified' });
      const [row] = (await db.query('SELECT email_verified FROM users WHERE id = $1', [user.id]))
        .rows;
      expect(row.email_verified).toBe(false);

      expect((await t.api.post('/auth/email/verify', { json: { token: mail.token } })).status).toBe(
        204,
      );
      const { access_token } = await login(t.api, user);
      const me = await t.api.get('/users/me', { token: access_token });
      expect(me.body.email_verified).toBe(true);
      // Single use.
      const again = await t.api.post('/auth/email/verify', { json: { token: mail.token } });
      expect(again.status).toBe(400);
      expect(again.body.code).toBe('INVALID_TOKEN');
    },
    SLOW,
  );

  it(
    'resend makes the older verification link stop working',
    async () => {
      const user = await registerUser(t.api);
      const first = await smtp.latest(user.email, VERIFY_SUBJECT);
      await db.query('UPDATE users SET email_verified = true WHERE id = $1', [user.id]);
      const { access_token } = await login(t.api, user);
      await db.query('UPDATE users SET email_verified = false WHERE id = $1', [user.id]);
      const resent = await t.api.post('/auth/email/verify/resend', { token: access_token });
      expect(resent.status).toBe(202);
      const mails = await smtp.waitFor(user.email, 2);
      const second = mails[1];
      expect(second.token).not.toBe(first.token);
      expect(
        (await t.api.post('/auth/email/verify', { json: { token: first.token } })).status,
      ).toBe(400);
      expect(
        (await t.api.post('/auth/email/verify', { json: { token: second.token } })).status,
      ).toBe(204);
    },
    SLOW,
  );

  it(
    'forgot answers the same for known and unknown addresses, and mails only the known one',
    async () => {
      const user = await verifiedUser();
      const unknown = `nobody-${user.id}@example.com`;
      const a = await forgot(unknown);
      const b = await forgot(user.email);
      expect(a.status).toBe(202);
      expect(b.status).toBe(202);
      expect(b.text).toBe(a.text);
      const mail = (await smtp.waitFor(user.email, 2))[1];
      expect(mail.subject).toMatch(RESET_SUBJECT);
      expect(mail.link).toBe(`${APP_URL}/reset-password?token=${mail.token}`);
      expect(mail.html).toContain(`href="${APP_URL}/reset-password?token=${mail.token}"`);
      expect(smtp.to(unknown)).toHaveLength(0);
    },
    SLOW,
  );

  it(
    'reset: sets the password, ends every session, works once, sends a notice without a token',
    async () => {
      const user = await verifiedUser();
      const before = await login(t.api, user);
      const mail = await resetMail(user, 2);
      const password = newPassword();
      expect((await reset(mail.token, password)).status).toBe(204);

      expect((await t.api.get('/users/me', { token: before.access_token })).status).toBe(401);
      const refresh = await t.api.post('/auth/refresh', {
        json: { refresh_token: before.refresh_token },
      });
      expect(refresh.status).toBe(401);
      expect((await passwordGrant(t.api, user)).status).toBe(400);
      expect((await passwordGrant(t.api, { ...user, password })).status).toBe(200);

      const used = await reset(mail.token, newPassword());
      expect(used.status).toBe(400);
      expect(used.body.code).toBe('INVALID_TOKEN');

      const notice = await smtp.latest(user.email, NOTICE_CHANGED);
      expect(notice.text).toContain('reset');
      expect(notice.text).not.toContain('token=');
      expect(notice.html).not.toContain('token=');
    },
    SLOW,
  );

  it(
    'exactly one of 20 parallel resets with one token succeeds',
    async () => {
      const user = await verifiedUser();
      const mail = await resetMail(user, 2);
      const results = await Promise.all(
        Array.from({ length: 20 }, () => reset(mail.token, newPassword())),
      );
      const statuses = results.map((r) => r.status).sort();
      expect(statuses.filter((s) => s === 204)).toHaveLength(1);
      expect(statuses.filter((s) => s === 400)).toHaveLength(19);
    },
    SLOW,
  );

  it(
    'only the newest reset link works, and a link expires',
    async () => {
      const user = await verifiedUser();
      const first = await resetMail(user, 2);
      const second = await resetMail(user, 3);
      expect((await reset(first.token, newPassword())).status).toBe(400);

      const clock = t.app.get(EmailTokenClock);
      clock.now = () => Date.now() + 31 * 60_000;
      try {
        const expired = await reset(second.token, newPassword());
        expect(expired.status).toBe(400);
        expect(expired.body.code).toBe('INVALID_TOKEN');
      } finally {
        clock.now = () => Date.now();
      }
      expect((await reset(second.token, newPassword())).status).toBe(204);
    },
    SLOW,
  );

  it(
    'the password policy applies to a reset, and a refused password leaves the link working',
    async () => {
      const user = await verifiedUser();
      const mail = await resetMail(user, 2);
      const short = await reset(mail.token, 'short');
      expect(short.status).toBe(400);
      expect(short.body.errors[0].field).toBe('new_password');
      for (const weakPassword of ['password123', user.email]) {
        const weak = await reset(mail.token, weakPassword);
        expect(weak.status).toBe(400);
        expect(weak.body.code).toBe('VALIDATION_FAILED');
        expect(weak.body.errors[0].field).toBe('new_password');
      }
      expect((await reset(mail.token, newPassword())).status).toBe(204);
    },
    SLOW,
  );

  it(
    'bad tokens are 400 INVALID_TOKEN, never 500',
    async () => {
      for (const token of ['x', 'A'.repeat(43), 'é'.repeat(43), '../../etc/passwd']) {
        const response = await reset(token, newPassword());
        expect(response.status).toBe(400);
        expect(response.body.code).toBe('INVALID_TOKEN');
      }
      expect((await reset(undefined, newPassword())).status).toBe(400);
    },
    SLOW,
  );

  it(
    'a lockout sends a notice with the way out, and a reset lifts it',
    async () => {
      const user = await verifiedUser();
      for (let i = 0; i < 3; i++) {
        await passwordGrant(t.api, { ...user, password: 'wrong-password-1' });
      }
      expect((await passwordGrant(t.api, user)).status).toBe(400);
      const notice = await smtp.latest(user.email, /locked/);
      expect(notice.text).toContain(`${APP_URL}/reset-password`);
      expect(notice.text).not.toContain('token=');

      const mail = await resetMail(user, 3);
      const password = newPassword();
      expect((await reset(mail.token, password)).status).toBe(204);
      expect((await passwordGrant(t.api, { ...user, password })).status).toBe(200);
    },
    SLOW,
  );

  it(
    'a reset ends a pending two-factor step; turning two-factor off sends a notice',
    async () => {
      const user = await verifiedUser();
      const clock = t.app.get(TwoFactorClock);
      let now = stepOf(Date.now()) * 30_000 + 12_000;
      clock.now = () => now;
      try {
        const { access_token } = await login(t.api, user);
        const setup = await t.api.post('/auth/2fa/setup', { token: access_token });
        const secret: string = setup.body.secret;
        const code = () => totpAt(secret, stepOf(now));
        expect(
          (await t.api.post('/auth/2fa/enable', { token: access_token, json: { code: code() } }))
            .status,
        ).toBe(200);
        now += 60_000;
        const pending = await passwordGrant(t.api, user);
        expect(pending.status).toBe(403);
        const mfaToken = (pending.body as unknown as { mfa_token: string }).mfa_token;

        const mail = await resetMail(user, 2);
        const password = newPassword();
        expect((await reset(mail.token, password)).status).toBe(204);
        const late = await t.api.post('/auth/2fa/verify', {
          json: { mfa_token: mfaToken, code: code() },
        });
        expect(late.status).toBe(401);

        const again = await passwordGrant(t.api, { ...user, password });
        const second = (again.body as unknown as { mfa_token: string }).mfa_token;
        now += 60_000;
        const tokens = await t.api.post('/auth/2fa/verify', {
          json: { mfa_token: second, code: code() },
        });
        expect(tokens.status).toBe(200);
        now += 60_000;
        const off = await t.api.post('/auth/2fa/disable', {
          token: tokens.body.access_token,
          json: { password, code: code() },
        });
        expect(off.status).toBe(204);
        const notice = await smtp.latest(user.email, /Two-factor authentication was turned off/);
        expect(notice.text).not.toContain('token=');
      } finally {
        clock.now = () => Date.now();
      }
    },
    SLOW,
  );

  it(
    'changing the password sends a notice',
    async () => {
      const user = await verifiedUser();
      const { access_token } = await login(t.api, user);
      const changed = await t.api.post('/auth/password/change', {
        token: access_token,
        json: { current_password: user.password, new_password: newPassword() },
      });
      expect(changed.status).toBe(204);
      const notice = await smtp.latest(user.email, NOTICE_CHANGED);
      expect(notice.text).toContain('changed');
      expect(notice.text).not.toContain('token=');
    },
    SLOW,
  );

  it(
    'address change: needs the password, notices the old address, applies only when the link is used',
    async () => {
      const user = await verifiedUser();
      const { access_token } = await login(t.api, user);
      const newEmail = `moved-${user.username}@example.org`;
      const wrong = await t.api.post('/users/me/email', {
        token: access_token,
        json: { new_email: newEmail, password: 'not-the-password' },
      });
      expect(wrong.status).toBe(400);
      const asked = await t.api.post('/users/me/email', {
        token: access_token,
        json: { new_email: newEmail, password: user.password },
      });
      expect(asked.status).toBe(202);
      const link = await smtp.latest(newEmail, CHANGE_SUBJECT);
      const notice = await smtp.latest(user.email, /change of your Gatehouse e-mail address/);
      expect(notice.text).toContain(newEmail);
      expect(notice.text).not.toContain('token=');
      expect((await t.api.get('/users/me', { token: access_token })).body.email).toBe(user.email);

      expect((await t.api.post('/auth/email/verify', { json: { token: link.token } })).status).toBe(
        204,
      );
      const me = await t.api.get('/users/me', { token: access_token });
      expect(me.body.email).toBe(newEmail);
      expect(me.body.email_verified).toBe(true);
    },
    SLOW,
  );

  it(
    'two users racing for one new address: one gets it, the other 409 USER_EXISTS',
    async () => {
      const target = `contested-${Date.now()}@example.org`;
      const tokens: string[] = [];
      for (const user of [await verifiedUser(), await verifiedUser()]) {
        const { access_token } = await login(t.api, user);
        const asked = await t.api.post('/users/me/email', {
          token: access_token,
          json: { new_email: target, password: user.password },
        });
        expect(asked.status).toBe(202);
      }
      const mails = await smtp.waitFor(target, 2);
      tokens.push(...mails.map((m) => m.token!));
      const results = await Promise.all(
        tokens.map((token) => t.api.post('/auth/email/verify', { json: { token } })),
      );
      expect(results.map((r) => r.status).sort()).toEqual([204, 409]);
      expect(results.find((r) => r.status === 409)!.body.code).toBe('USER_EXISTS');
    },
    SLOW,
  );

  it(
    'an admin sends a reset mail (write:users, rank rules); others are refused',
    async () => {
      const admin = await verifiedUser();
      await setRoles(db, admin, ['admin']);
      const target = await verifiedUser();
      const { access_token } = await login(t.api, admin);
      const sent = await t.api.post(`/admin/users/${target.id}/password-reset`, {
        token: access_token,
      });
      expect(sent.status).toBe(202);
      const mail = await smtp.latest(target.email, RESET_SUBJECT);
      const password = newPassword();
      expect((await reset(mail.token, password)).status).toBe(204);

      const plain = await login(t.api, { ...target, password });
      const refused = await t.api.post(`/admin/users/${admin.id}/password-reset`, {
        token: plain.access_token,
      });
      expect(refused.status).toBe(403);
      const editor = await verifiedUser();
      await setRoles(db, editor, ['editor'], ['write:users']);
      const editorToken = (await login(t.api, editor)).access_token;
      const aboveRank = await t.api.post(`/admin/users/${admin.id}/password-reset`, {
        token: editorToken,
      });
      expect(aboveRank.status).toBe(403);
      const unknown = await t.api.post(
        `/admin/users/00000000-0000-4000-8000-000000000000/password-reset`,
        { token: access_token },
      );
      expect(unknown.status).toBe(404);
    },
    SLOW,
  );

  it(
    'at most 5 link mails per address per hour: further requests are 202 without a mail',
    async () => {
      const user = await registerUser(t.api);
      await smtp.latest(user.email, VERIFY_SUBJECT);
      await db.query('UPDATE users SET email_verified = true WHERE id = $1', [user.id]);
      const { access_token } = await login(t.api, user);
      await db.query('UPDATE users SET email_verified = false WHERE id = $1', [user.id]);
      for (let i = 0; i < 6; i++) {
        const response = await t.api.post('/auth/email/verify/resend', { token: access_token });
        expect(response.status).toBe(202);
      }
      // The registration's mail, and five of the six requested.
      const { rows } = await db.query(
        'SELECT count(*)::int AS n FROM mail_outbox WHERE recipient = $1',
        [user.email],
      );
      expect(rows[0].n).toBe(6);
    },
    SLOW,
  );

  it(
    'the reset and verify pages work without a front-end and without script',
    async () => {
      const user = await registerUser(t.api);
      const verifyMail = await smtp.latest(user.email, VERIFY_SUBJECT);
      const page = await fetch(`${t.api.baseUrl}/verify-email?token=${verifyMail.token}`);
      const html = await page.text();
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(page.headers.get('cache-control')).toBe('no-store');
      expect(html).not.toMatch(/<script/i);
      expect(html).toContain('action="/verify-email"');
      const confirmed = await t.api.post('/verify-email', { form: { token: verifyMail.token! } });
      expect(confirmed.status).toBe(200);
      expect(confirmed.text).toContain('Address confirmed');

      const mail = await resetMail(user, 2);
      const form = await fetch(`${t.api.baseUrl}/reset-password?token=${mail.token}`);
      const formHtml = await form.text();
      expect(formHtml).toContain(`name="token" value="${mail.token}"`);
      expect(formHtml).not.toMatch(/<script/i);
      const password = newPassword();
      const bad = await t.api.post('/reset-password', {
        form: { token: mail.token!, new_password: 'short' },
      });
      expect(bad.status).toBe(400);
      const done = await t.api.post('/reset-password', {
        form: { token: mail.token!, new_password: password },
      });
      expect(done.status).toBe(200);
      expect(done.text).toContain('Password changed');
      expect((await passwordGrant(t.api, { ...user, password })).status).toBe(200);

      const request = await fetch(`${t.api.baseUrl}/reset-password`);
      expect(await request.text()).toContain('action="/reset-password/request"');
      const asked = await t.api.post('/reset-password/request', { form: { email: user.email } });
      expect(asked.status).toBe(200);
      await smtp.waitFor(user.email, 4);
    },
    SLOW,
  );

  it(
    'mail metrics count what was queued and sent',
    async () => {
      const response = await t.api.get('/metrics', { token: METRICS_TOKEN });
      expect(response.status).toBe(200);
      expect(response.text).toMatch(/gatehouse_mail_sent_total\{kind="password_reset"\} [1-9]/);
      expect(response.text).toMatch(/gatehouse_mail_queued_total\{kind="verify_email"\} [1-9]/);
      expect(response.text).toContain('gatehouse_mail_oldest_unsent_age_seconds');
    },
    SLOW,
  );

  it(
    'an SMTP outage: forgot still answers 202, and the mail arrives once the server is back',
    async () => {
      const user = await verifiedUser();
      await smtp.stop();
      try {
        expect((await forgot(user.email)).status).toBe(202);
        for (;;) {
          const { rows } = await db.query(
            `SELECT attempts FROM mail_outbox WHERE recipient = $1 AND kind = 'password_reset'`,
            [user.email],
          );
          if (rows[0]?.attempts >= 1) break;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      } finally {
        await smtp.start();
      }
      const mail = await smtp.latest(user.email, RESET_SUBJECT);
      expect((await reset(mail.token, newPassword())).status).toBe(204);
      expect(smtp.to(user.email).filter((m) => RESET_SUBJECT.test(m.subject))).toHaveLength(1);
    },
    SLOW,
  );
});
