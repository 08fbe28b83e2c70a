import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataDir } from './data-dir.js';
import { ConfigError, type Env, isProduction, readList, readOptional } from './env.js';

/** The value `.env.example` ships with; production refuses to start with it. */
export const SECRET_PLACEHOLDER = 'change-me-to-at-least-32-random-bytes';
export const MIN_SECRET_BYTES = 32;

/**
 * Every variable that holds key material. Production requires each of them; whatever the environment,
 * no two may hold the same value (a key reused for two purposes, e.g. the access-token secret doubling
 * as the TOTP encryption key, makes one leak two). A new secret setting is added here.
 */
export const KEY_MATERIAL = [
  'SECRET_KEY',
  'REFRESH_SECRET_KEY',
  'TWO_FACTOR_ENCRYPTION_KEY',
] as const;
/** Secrets that must be distinct from the ones above when set, but are optional. */
const OPTIONAL_KEY_MATERIAL = ['METRICS_TOKEN', 'SIGNING_KEY_ENCRYPTION_KEY'] as const;

/** What is wrong with one secret's value, in the words every config reader uses; undefined: fine. */
export function secretProblem(name: string, value: string | undefined): string | undefined {
  if (!value) return `${name} is required in production`;
  if (value === SECRET_PLACEHOLDER) {
    return `${name} is still the .env.example placeholder; set a random value`;
  }
  if (Buffer.byteLength(value) < MIN_SECRET_BYTES) {
    return `${name} must be at least ${MIN_SECRET_BYTES} bytes long`;
  }
  return undefined;
}

/** Retired secrets (still verifying), each list with the current secret it takes over from. */
const PREVIOUS_KEY_MATERIAL = [
  ['PREVIOUS_SECRET_KEYS', 'SECRET_KEY'],
  ['PREVIOUS_REFRESH_SECRET_KEYS', 'REFRESH_SECRET_KEY'],
] as const;

/**
 * Pairs of key-material variables that hold the same value, each named once. A retired secret counts
 * too: one that is (or was) another variable's value would let, say, an old access-token secret verify
 * refresh tokens. Only its own current secret may repeat in a list (that entry is simply ignored).
 */
export function reusedKeyMaterial(env: Env): string[] {
  const names = [...KEY_MATERIAL, ...OPTIONAL_KEY_MATERIAL];
  const problems: string[] = [];
  for (let i = 0; i < names.length; i++) {
    for (let j = i + 1; j < names.length; j++) {
      const a = readOptional(env, names[i]);
      if (a !== undefined && a === readOptional(env, names[j])) {
        problems.push(`${names[j]} must differ from ${names[i]}`);
      }
    }
  }
  const [accessList, refreshList] = PREVIOUS_KEY_MATERIAL.map(([list]) => readList(env, list, []));
  for (const [index, [list, own]] of PREVIOUS_KEY_MATERIAL.entries()) {
    const retired = index === 0 ? accessList : refreshList;
    for (const name of names) {
      const value = readOptional(env, name);
      if (name !== own && value !== undefined && retired.includes(value)) {
        problems.push(`${list} must not hold the value of ${name}`);
      }
    }
  }
  if (accessList.some((secret) => refreshList.includes(secret))) {
    problems.push('PREVIOUS_REFRESH_SECRET_KEYS must not share a value with PREVIOUS_SECRET_KEYS');
  }
  return problems;
}

/** A secret that must be fine, as a value; throws the problem otherwise. */
export function checkSecret(name: string, value: string | undefined): string {
  const problem = secretProblem(name, value);
  if (problem) throw new ConfigError(problem);
  return value!;
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
