import { hash, randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';

/**
 * API key strings: `gatehouse_` + 40 random base62 characters (about 238 bits from the CSPRNG) + a
 * 6-character base62 CRC32 of those 40. The fixed prefix lets people and secret scanners recognise a
 * key; the checksum lets a scanner (and this service) reject a mistyped or made-up key without a
 * database lookup. Base62 keeps the key one word when double-clicked.
 */
export const API_KEY_PREFIX = 'gatehouse_';
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const RANDOM_LENGTH = 40;
const CHECKSUM_LENGTH = 6;
/** How much of the key is kept in clear to tell keys apart in lists: the prefix and 8 random characters. */
export const DISPLAY_PREFIX_LENGTH = API_KEY_PREFIX.length + 8;
const KEY_SHAPE = new RegExp(`^${API_KEY_PREFIX}[0-9A-Za-z]{${RANDOM_LENGTH + CHECKSUM_LENGTH}}$`);
/** The largest multiple of 62 below 256: bytes at or above it are dropped so every character is uniform. */
const UNBIASED_BYTE_LIMIT = 62 * 4;

function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte >= UNBIASED_BYTE_LIMIT) continue;
      out += ALPHABET[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

function checksum(random: string): string {
  let value = crc32(random);
  let out = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = ALPHABET[value % 62] + out;
    value = Math.floor(value / 62);
  }
  return out;
}

export interface NewApiKeySecret {
  /** The whole key, shown to its owner once. */
  key: string;
  /** What lists show: `gatehouse_` and the first random characters. */
  prefix: string;
  /** What the database keeps. */
  hash: string;
}

export function generateApiKey(): NewApiKeySecret {
  const random = randomBase62(RANDOM_LENGTH);
  const key = `${API_KEY_PREFIX}${random}${checksum(random)}`;
  return { key, prefix: key.slice(0, DISPLAY_PREFIX_LENGTH), hash: hashApiKey(key) };
}

/** True when the string has a key's shape and its checksum is right (says nothing of whether it exists). */
export function isWellFormedApiKey(candidate: string): boolean {
  if (!KEY_SHAPE.test(candidate)) return false;
  const random = candidate.slice(API_KEY_PREFIX.length, API_KEY_PREFIX.length + RANDOM_LENGTH);
  return candidate.endsWith(checksum(random));
}

/**
 * SHA-256 of the whole key. A fast hash is the right tool here: the secret is random and long, so there
 * is nothing to brute-force, and a slow hash would cost CPU on every authenticated request.
 */
export function hashApiKey(key: string): string {
  return hash('sha256', key, 'hex');
}
