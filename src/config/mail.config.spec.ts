import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseMailConfig } from './mail.config.js';

const base = { GATEHOUSE_DATA_DIR: mkdtempSync(join(tmpdir(), 'gatehouse-mail-config-')) };

describe('mail configuration', () => {
  afterAll(() => rmSync(base.GATEHOUSE_DATA_DIR, { recursive: true, force: true }));

  it('defaults: file outbox in development, links to the service itself, 30 min / 24 h, not required', () => {
    const config = parseMailConfig({ ...base, PORT: '8123' });
    expect(config.smtpUrl).toBeUndefined();
    expect(config.outboxDir).toBe(join(base.GATEHOUSE_DATA_DIR, 'mail'));
    expect(config.from).toBe('Gatehouse <no-reply@localhost>');
    expect(config.appUrl).toBe('http://127.0.0.1:8123');
    expect(config.passwordResetTokenMinutes).toBe(30);
    expect(config.emailVerificationTokenHours).toBe(24);
    expect(config.requireEmailVerification).toBe(false);
    expect(parseMailConfig({ ...base, HOST: '0.0.0.0', PORT: '80' }).appUrl).toBe(
      'http://localhost:80',
    );
  });

  it('production without SMTP_URL refuses to start with one line naming it', () => {
    expect(() => parseMailConfig({ ...base, NODE_ENV: 'production' })).toThrow(
      /^SMTP_URL is required in production/,
    );
  });

  it('refuses bad values without repeating a password', () => {
    expect(() => parseMailConfig({ ...base, SMTP_URL: 'http://user:hunter2@mail' })).toThrow(
      /^SMTP_URL must look like smtp:/,
    );
    try {
      parseMailConfig({ ...base, SMTP_URL: 'ftp://user:hunter2@mail' });
    } catch (error) {
      expect((error as Error).message).not.toContain('hunter2');
    }
    expect(() => parseMailConfig({ ...base, APP_URL: 'javascript:alert(1)' })).toThrow(/APP_URL/);
    expect(() => parseMailConfig({ ...base, MAIL_FROM: 'not an address' })).toThrow(/MAIL_FROM/);
    expect(() => parseMailConfig({ ...base, PASSWORD_RESET_TOKEN_MINUTES: '0' })).toThrow(
      /PASSWORD_RESET_TOKEN_MINUTES/,
    );
    expect(parseMailConfig({ ...base, APP_URL: 'https://id.example.com/' }).appUrl).toBe(
      'https://id.example.com',
    );
  });
});
