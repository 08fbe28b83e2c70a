import { type Env, readOptional } from './env.js';

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
const OPTIONAL_KEY_MATERIAL = ['METRICS_TOKEN'] as const;

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

/** Pairs of key-material variables that hold the same value, each named once. */
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
  return problems;
}
