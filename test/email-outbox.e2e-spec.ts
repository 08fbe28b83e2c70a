import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { simpleParser } from 'mailparser';
import { startTestApp, type TestApp } from './app.js';
import { login, registerUser } from './factories.js';

const SLOW = 30_000;

/**
 * The development default: no SMTP_URL, so every mail is an `.eml` file under `<data dir>/mail/`, named
 * in the log with recipient and subject. Every log line of the flows is captured: no token may appear.
 */
describe('e-mail without SMTP_URL: .eml files, and no token in any log line', () => {
  let t: TestApp;
  const lines: string[] = [];
  const mailDir = join(process.env.GATEHOUSE_DATA_DIR!, 'mail');
  const seen = new Set<string>();

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        callback();
      },
    });
    t = await startTestApp({ env: { LOG_LEVEL: 'debug' }, logDestination: sink });
  }, SLOW);
  afterAll(async () => {
    await t.close();
    delete process.env.LOG_LEVEL;
  });

  /** The newest `.eml` to this address not read before, its link token (polling until it is written). */
  async function nextMail(to: string): Promise<{ subject: string; token?: string }> {
    for (;;) {
      const files = existsSync(mailDir) ? readdirSync(mailDir).sort() : [];
      for (const file of files) {
        if (seen.has(file)) continue;
        const parsed = await simpleParser(readFileSync(join(mailDir, file)));
        const address = Array.isArray(parsed.to) ? parsed.to[0] : parsed.to;
        if (address?.value[0]?.address?.toLowerCase() !== to.toLowerCase()) continue;
        seen.add(file);
        const token = /\?token=([A-Za-z0-9_-]+)/.exec(parsed.text ?? '')?.[1];
        return { subject: parsed.subject ?? '', token };
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  it(
    'runs every flow from the files, and no token reaches the logs',
    async () => {
      const tokens: string[] = [];
      const user = await registerUser(t.api);
      const verify = await nextMail(user.email);
      expect(verify.subject).toMatch(/Confirm your e-mail address/);
      tokens.push(verify.token!);
      // The link opened in a browser: the token is in the request line.
      expect((await fetch(`${t.api.baseUrl}/verify-email?token=${verify.token}`)).status).toBe(200);
      expect((await t.api.post('/verify-email', { form: { token: verify.token! } })).status).toBe(
        200,
      );

      expect(
        (await t.api.post('/auth/password/forgot', { json: { email: user.email } })).status,
      ).toBe(202);
      const reset = await nextMail(user.email);
      tokens.push(reset.token!);
      expect((await fetch(`${t.api.baseUrl}/reset-password?token=${reset.token}`)).status).toBe(
        200,
      );
      const password = `fresh-${user.id}`;
      expect(
        (
          await t.api.post('/auth/password/reset', {
            json: { token: reset.token, new_password: password },
          })
        ).status,
      ).toBe(204);
      // A used token sent again is refused, and still not logged.
      expect(
        (
          await t.api.post('/auth/password/reset', {
            json: { token: reset.token, new_password: password },
          })
        ).status,
      ).toBe(400);
      expect((await nextMail(user.email)).subject).toMatch(/password was changed/);

      const { access_token } = await login(t.api, { ...user, password });
      const newEmail = `next-${user.username}@example.org`;
      expect(
        (
          await t.api.post('/users/me/email', {
            token: access_token,
            json: { new_email: newEmail, password },
          })
        ).status,
      ).toBe(202);
      const change = await nextMail(newEmail);
      tokens.push(change.token!);
      expect(
        (await t.api.post('/auth/email/verify', { json: { token: change.token } })).status,
      ).toBe(204);

      expect(tokens.every((token) => /^[A-Za-z0-9_-]{43}$/.test(token))).toBe(true);
      const log = lines.join('\n');
      // The opened links' requests were logged (by path: the query string never is).
      expect(log).toContain('/verify-email');
      for (const token of tokens) expect(log).not.toContain(token);
      // Each mail is named in the log with its recipient and subject.
      expect(log).toContain(`Mail to ${user.email}, \\"Reset your Gatehouse password\\"`);
      expect(log).toContain(
        `Mail to ${newEmail}, \\"Confirm your new e-mail address for Gatehouse\\"`,
      );
    },
    SLOW,
  );
});
