import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataDir } from './data-dir.js';
import { ConfigError, type Env, isProduction, readOptional } from './env.js';

/** The value `.env.example` ships with; production refuses to start with it. */
export const SECRET_PLACEHOLDER = 'change-me-to-at-least-32-random-bytes';
export const MIN_SECRET_BYTES = 32;

/** A secret from the environment: present, not the placeholder, at least 32 bytes. */
export function checkSecret(name: string, value: string | undefined): string {
  if (!value) throw new ConfigError(`${name} is required in production`);
  if (value === SECRET_PLACEHOLDER) {
    throw new ConfigError(`${name} is still the .env.example placeholder; set a random value`);
  }
  if (Buffer.byteLength(value) < MIN_SECRET_BYTES) {
    throw new ConfigError(`${name} must be at least ${MIN_SECRET_BYTES} bytes long`);
  }
  return value;
}

/** Development only: a random key generated once and kept in the data directory, so restarts keep it. */
export function developmentKey(env: Env, fileName: string): string {
  const file = join(dataDir(env), fileName);
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

/**
 * An encryption key: from the environment, required in production; in development generated under
 * the data directory (as `fileName`) when not given.
 */
export function encryptionKey(env: Env, name: string, fileName: string): string {
  const given = readOptional(env, name);
  return checkSecret(name, isProduction(env) ? given : (given ?? developmentKey(env, fileName)));
}
