import { join } from 'node:path';
import { registerAs } from '@nestjs/config';
import { parseAppConfig } from './app.config.js';
import { dataDir } from './data-dir.js';
import {
  ConfigError,
  type Env,
  isProduction,
  readBool,
  readInt,
  readOptional,
  readString,
} from './env.js';

export interface MailConfig {
  /** `smtp://` or `smtps://` URL of the mail server; unset: development writes `.eml` files instead. */
  smtpUrl?: string;
  /** Where development mails are written when there is no SMTP_URL. */
  outboxDir: string;
  /** Sender of every mail (`Name <address>` or a bare address). */
  from: string;
  /** Base of the links in mails, without a trailing slash. */
  appUrl: string;
  passwordResetTokenMinutes: number;
  emailVerificationTokenHours: number;
  /** Password logins of unverified addresses are refused. */
  requireEmailVerification: boolean;
  /** First retry after this many seconds, doubling on each further failure (capped at an hour). */
  retryBaseSeconds: number;
  /** After this many failed attempts a mail is given up (counted and recorded as failed). */
  maxAttempts: number;
}

const ADDRESS = /^[^\s<>@]+@[^\s<>@]+$/;

function parseSmtpUrl(env: Env): string | undefined {
  const raw = readOptional(env, 'SMTP_URL');
  if (raw === undefined) {
    if (isProduction(env)) {
      throw new ConfigError(
        'SMTP_URL is required in production (smtp://user:password@host:port or smtps://...)',
      );
    }
    return undefined;
  }
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  // The value holds a password: the message never repeats it.
  if (!url || !['smtp:', 'smtps:'].includes(url.protocol) || !url.hostname) {
    throw new ConfigError('SMTP_URL must look like smtp://user:password@host:port (or smtps://)');
  }
  return raw;
}

function parseFrom(env: Env): string {
  const from = readString(env, 'MAIL_FROM', 'Gatehouse <no-reply@localhost>');
  const address = /<([^<>]+)>\s*$/.exec(from)?.[1] ?? from;
  if (!ADDRESS.test(address.trim()) || /[\r\n]/.test(from)) {
    throw new ConfigError(
      `MAIL_FROM must be an address or "Name <address>", got "${from.slice(0, 80)}"`,
    );
  }
  return from;
}

/**
 * APP_URL, or the service's own address (`http://HOST:PORT`, `localhost` when HOST is a wildcard).
 * Never taken from a request's Host header: a forged header would put an attacker's site in the links.
 */
function parseAppUrl(env: Env): string {
  const raw = readOptional(env, 'APP_URL');
  if (raw === undefined) {
    const { host, port } = parseAppConfig(env);
    const name = ['0.0.0.0', '::', '[::]'].includes(host) ? 'localhost' : host;
    return `http://${name.includes(':') ? `[${name}]` : name}:${port}`;
  }
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || !['http:', 'https:'].includes(url.protocol) || url.search || url.hash) {
    throw new ConfigError(
      `APP_URL must be an http(s) URL without query or fragment, such as https://id.example.com, got "${raw}"`,
    );
  }
  return url.toString().replace(/\/+$/, '');
}

export function parseMailConfig(env: Env): MailConfig {
  return {
    smtpUrl: parseSmtpUrl(env),
    outboxDir: join(dataDir(env), 'mail'),
    from: parseFrom(env),
    appUrl: parseAppUrl(env),
    passwordResetTokenMinutes: readInt(env, 'PASSWORD_RESET_TOKEN_MINUTES', 30, {
      min: 1,
      max: 24 * 60,
    }),
    emailVerificationTokenHours: readInt(env, 'EMAIL_VERIFICATION_TOKEN_HOURS', 24, {
      min: 1,
      max: 30 * 24,
    }),
    requireEmailVerification: readBool(env, 'REQUIRE_EMAIL_VERIFICATION', false),
    retryBaseSeconds: readInt(env, 'MAIL_RETRY_BASE_SECONDS', 30, { min: 1, max: 3600 }),
    maxAttempts: readInt(env, 'MAIL_MAX_ATTEMPTS', 10, { min: 1, max: 100 }),
  };
}

export const mailConfig = registerAs('mail', () => parseMailConfig(process.env));
