import { registerAs } from '@nestjs/config';
import { isRole, type Role } from '../access/roles.js';
import { ConfigError, type Env, readList, readString } from './env.js';
import { encryptionKey } from './key-material.js';

const KEY_FILE = 'two-factor-key';

export interface TwoFactorConfig {
  /** Key material for AES-256-GCM of TOTP secrets at rest (a 256-bit key is derived from it). */
  encryptionKey: string;
  /** Shown by authenticator apps next to the account name. */
  issuer: string;
  /** Users holding any of these roles, or a role above one of them, must enrol before getting tokens. */
  requiredRoles: Role[];
}

export function parseTwoFactorConfig(env: Env): TwoFactorConfig {
  const key = encryptionKey(env, 'TWO_FACTOR_ENCRYPTION_KEY', KEY_FILE);
  const requiredRoles = readList(env, 'REQUIRE_2FA_ROLES', []);
  const unknown = requiredRoles.filter((role) => !isRole(role));
  if (unknown.length > 0) {
    throw new ConfigError(`REQUIRE_2FA_ROLES names unknown roles: ${unknown.join(', ')}`);
  }
  const issuer = readString(env, 'TWO_FACTOR_ISSUER', 'Gatehouse');
  if (issuer.includes(':')) throw new ConfigError('TWO_FACTOR_ISSUER must not contain ":"');
  return { encryptionKey: key, issuer, requiredRoles: requiredRoles as Role[] };
}

export const twoFactorConfig = registerAs('twoFactor', () => parseTwoFactorConfig(process.env));
