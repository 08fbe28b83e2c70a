import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { registerAs } from '@nestjs/config';
import { dataDir } from './data-dir.js';
import {
  ConfigError,
  type Env,
  isProduction,
  readInt,
  readList,
  readOptional,
  readString,
} from './env.js';
import { checkSecret, encryptionKey } from './key-material.js';

/** Shared-secret (HMAC) algorithms: SECRET_KEY signs and verifies. */
export const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const;
/** Key-pair algorithms: Gatehouse creates, keeps (encrypted) and rotates the keys in PostgreSQL. */
export const KEY_PAIR_ALGORITHMS = ['ES256', 'EdDSA', 'RS256'] as const;
/** The allowlist of `ALGORITHM`; `none` is never among them. */
export const ALLOWED_ALGORITHMS = [...HMAC_ALGORITHMS, ...KEY_PAIR_ALGORITHMS] as const;
export type JwtAlgorithm = (typeof ALLOWED_ALGORITHMS)[number];
export type HmacAlgorithm = (typeof HMAC_ALGORITHMS)[number];
export type KeyPairAlgorithm = (typeof KEY_PAIR_ALGORITHMS)[number];

export function isHmacAlgorithm(algorithm: string): algorithm is HmacAlgorithm {
  return (HMAC_ALGORITHMS as readonly string[]).includes(algorithm);
}

export { SECRET_PLACEHOLDER } from './key-material.js';

export interface AuthConfig {
  secretKey: string;
  refreshSecretKey: string;
  /** Earlier values of SECRET_KEY / REFRESH_SECRET_KEY: their tokens still verify, nothing new is signed. */
  previousSecretKeys: string[];
  previousRefreshSecretKeys: string[];
  algorithm: JwtAlgorithm;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  issuer: string;
  audience: string;
  /** Seconds of clock difference tolerated on `exp`, `nbf` and `iat` (with other instances and relying parties). */
  clockToleranceSeconds: number;
  /** Key material for AES-256-GCM of the private signing keys at rest (key-pair algorithms only). */
  signingKeyEncryptionKey?: string;
  /** How long a new signing key is published in the JWKS before it signs. */
  signingKeyPublishSeconds: number;
  /** Scheduled rotation interval; undefined: on demand only. */
  signingKeyRotationDays?: number;
}

type SecretName = 'SECRET_KEY' | 'REFRESH_SECRET_KEY';

/** Development only: secrets generated once and kept in the data directory, so restarts keep tokens valid. */
function developmentSecrets(env: Env): Record<SecretName, string> {
  const file = join(dataDir(env), 'secrets.json');
  let stored: Partial<Record<SecretName, string>> = {};
  try {
    stored = JSON.parse(readFileSync(file, 'utf8')) as typeof stored;
  } catch {
    // First start: nothing stored yet.
  }
  const secrets = {
    SECRET_KEY: stored.SECRET_KEY ?? randomBytes(48).toString('base64url'),
    REFRESH_SECRET_KEY: stored.REFRESH_SECRET_KEY ?? randomBytes(48).toString('base64url'),
  };
  if (
    secrets.SECRET_KEY !== stored.SECRET_KEY ||
    secrets.REFRESH_SECRET_KEY !== stored.REFRESH_SECRET_KEY
  ) {
    writeFileSync(file, JSON.stringify(secrets), { mode: 0o600 });
  }
  return secrets;
}

function readAlgorithm(env: Env): JwtAlgorithm {
  const raw = readString(env, 'ALGORITHM', 'HS256');
  const algorithm = ALLOWED_ALGORITHMS.find((name) => name.toUpperCase() === raw.toUpperCase());
  if (!algorithm) {
    throw new ConfigError(`ALGORITHM must be one of ${ALLOWED_ALGORITHMS.join(', ')}`);
  }
  return algorithm;
}

function readPreviousSecrets(env: Env, name: string, current: string): string[] {
  const secrets = readList(env, name, []).map((secret) => checkSecret(name, secret));
  return secrets.filter((secret) => secret !== current);
}

export function parseAuthConfig(env: Env): AuthConfig {
  const given = {
    SECRET_KEY: readOptional(env, 'SECRET_KEY'),
    REFRESH_SECRET_KEY: readOptional(env, 'REFRESH_SECRET_KEY'),
  };
  let secretKey: string;
  let refreshSecretKey: string;
  if (isProduction(env)) {
    secretKey = checkSecret('SECRET_KEY', given.SECRET_KEY);
    refreshSecretKey = checkSecret('REFRESH_SECRET_KEY', given.REFRESH_SECRET_KEY);
    if (secretKey === refreshSecretKey) {
      throw new ConfigError('REFRESH_SECRET_KEY must differ from SECRET_KEY');
    }
  } else {
    const generated =
      given.SECRET_KEY && given.REFRESH_SECRET_KEY ? undefined : developmentSecrets(env);
    secretKey = checkSecret('SECRET_KEY', given.SECRET_KEY ?? generated?.SECRET_KEY);
    refreshSecretKey = checkSecret(
      'REFRESH_SECRET_KEY',
      given.REFRESH_SECRET_KEY ?? generated?.REFRESH_SECRET_KEY,
    );
  }

  const algorithm = readAlgorithm(env);
  const rotationDays = readInt(env, 'SIGNING_KEY_ROTATION_DAYS', 0, { min: 0, max: 3650 });

  return {
    secretKey,
    refreshSecretKey,
    previousSecretKeys: readPreviousSecrets(env, 'PREVIOUS_SECRET_KEYS', secretKey),
    previousRefreshSecretKeys: readPreviousSecrets(
      env,
      'PREVIOUS_REFRESH_SECRET_KEYS',
      refreshSecretKey,
    ),
    algorithm,
    accessTokenTtlSeconds:
      60 * readInt(env, 'ACCESS_TOKEN_EXPIRE_MINUTES', 15, { min: 1, max: 24 * 60 }),
    refreshTokenTtlSeconds:
      86400 * readInt(env, 'REFRESH_TOKEN_EXPIRE_DAYS', 7, { min: 1, max: 365 }),
    issuer: readString(env, 'TOKEN_ISSUER', 'gatehouse'),
    audience: readString(env, 'TOKEN_AUDIENCE', 'gatehouse-api'),
    clockToleranceSeconds: 5,
    // Only key-pair algorithms have private keys to keep, so only they need (and require) the key.
    signingKeyEncryptionKey: isHmacAlgorithm(algorithm)
      ? readOptional(env, 'SIGNING_KEY_ENCRYPTION_KEY')
      : encryptionKey(env, 'SIGNING_KEY_ENCRYPTION_KEY', 'signing-key-encryption-key'),
    signingKeyPublishSeconds: readInt(env, 'SIGNING_KEY_PUBLISH_SECONDS', 600, {
      min: 0,
      max: 7 * 86400,
    }),
    signingKeyRotationDays: rotationDays === 0 ? undefined : rotationDays,
  };
}

export const authConfig = registerAs('auth', () => parseAuthConfig(process.env));
