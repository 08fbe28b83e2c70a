import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { registerAs } from '@nestjs/config';
import { isRole, type Role } from '../access/roles.js';
import { SECRET_PLACEHOLDER } from './auth.config.js';
import { dataDir } from './data-dir.js';
import { ConfigError, type Env, isProduction, readList, readOptional, readString } from './env.js';

const MIN_KEY_BYTES = 32;
const KEY_FILE = 'two-factor-key';

export interface TwoFactorConfig {
  /** Key material for AES-256-GCM of TOTP secrets at rest (a 256-bit key is derived from it). */
  encryptionKey: string;
  /** Shown by authenticator apps next to the account name. */
  issuer: string;
  /** Users holding any of these roles, or a role above one of them, must enrol before getting tokens. */
  requiredRoles: Role[];
}

function checkKey(value: string | undefined): string {
  if (!value) throw new ConfigError('TWO_FACTOR_ENCRYPTION_KEY is required in production');
  if (value === SECRET_PLACEHOLDER) {
    throw new ConfigError(
      'TWO_FACTOR_ENCRYPTION_KEY is still the .env.example placeholder; set a random value',
    );
  }
  if (Buffer.byteLength(value) < MIN_KEY_BYTES) {
    throw new ConfigError(`TWO_FACTOR_ENCRYPTION_KEY must be at least ${MIN_KEY_BYTES} bytes long`);
  }
  return value;
}

/** Development only: generated once and kept in the data directory, so enrolments survive restarts. */
function developmentKey(env: Env): string {
  const file = join(dataDir(env), KEY_FILE);
  try {
    const stored = readFileSync(file, 'utf8').trim();
    if (stored) return stored;
  } catch {
    // First start: nothing stored yet.
  }
  const key = randomBytes(48).toString('base64url');
  writeFileSync(file, key, { mode: 0o600 });
  return key;
}

export function parseTwoFactorConfig(env: Env): TwoFactorConfig {
  const given = readOptional(env, 'TWO_FACTOR_ENCRYPTION_KEY');
  const encryptionKey = checkKey(isProduction(env) ? given : (given ?? developmentKey(env)));
  const requiredRoles = readList(env, 'REQUIRE_2FA_ROLES', []);
  const unknown = requiredRoles.filter((role) => !isRole(role));
  if (unknown.length > 0) {
    throw new ConfigError(`REQUIRE_2FA_ROLES names unknown roles: ${unknown.join(', ')}`);
  }
  const issuer = readString(env, 'TWO_FACTOR_ISSUER', 'Gatehouse');
  if (issuer.includes(':')) throw new ConfigError('TWO_FACTOR_ISSUER must not contain ":"');
  return { encryptionKey, issuer, requiredRoles: requiredRoles as Role[] };
}

export const twoFactorConfig = registerAs('twoFactor', () => parseTwoFactorConfig(process.env));
