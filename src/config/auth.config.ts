import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { registerAs } from '@nestjs/config';
import { dataDir } from './data-dir.js';
import { secretProblem } from './key-material.js';
import { ConfigError, type Env, isProduction, readInt, readOptional, readString } from './env.js';

/** HMAC algorithms only: both secrets are shared keys, and `none` or RS/ES confusion is ruled out. */
export const ALLOWED_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const;
export type JwtAlgorithm = (typeof ALLOWED_ALGORITHMS)[number];

export { SECRET_PLACEHOLDER } from './key-material.js';

export interface AuthConfig {
  secretKey: string;
  refreshSecretKey: string;
  algorithm: JwtAlgorithm;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  issuer: string;
  audience: string;
}

type SecretName = 'SECRET_KEY' | 'REFRESH_SECRET_KEY';

function checkSecret(name: SecretName, value: string | undefined): string {
  const problem = secretProblem(name, value);
  if (problem) throw new ConfigError(problem);
  return value!;
}

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

  const algorithm = readString(env, 'ALGORITHM', 'HS256').toUpperCase();
  if (!(ALLOWED_ALGORITHMS as readonly string[]).includes(algorithm)) {
    throw new ConfigError(`ALGORITHM must be one of ${ALLOWED_ALGORITHMS.join(', ')}`);
  }

  return {
    secretKey,
    refreshSecretKey,
    algorithm: algorithm as JwtAlgorithm,
    accessTokenTtlSeconds:
      60 * readInt(env, 'ACCESS_TOKEN_EXPIRE_MINUTES', 15, { min: 1, max: 24 * 60 }),
    refreshTokenTtlSeconds:
      86400 * readInt(env, 'REFRESH_TOKEN_EXPIRE_DAYS', 7, { min: 1, max: 365 }),
    issuer: readString(env, 'TOKEN_ISSUER', 'gatehouse'),
    audience: readString(env, 'TOKEN_AUDIENCE', 'gatehouse-api'),
  };
}

export const authConfig = registerAs('auth', () => parseAuthConfig(process.env));
