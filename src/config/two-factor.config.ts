import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { registerAs } from '@nestjs/config';
import { isRole, type Role } from '../access/roles.js';
import { dataDir } from './data-dir.js';
import { secretProblem } from './key-material.js';
import { ConfigError, type Env, isProduction, readList, readOptional, readString } from './env.js';

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
  const problem = secretProblem('TWO_FACTOR_ENCRYPTION_KEY', value);
  if (problem) throw new ConfigError(problem);
  return value!;
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
