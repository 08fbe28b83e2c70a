import type { ValueTransformer } from 'typeorm';

/**
 * The one normalisation every identity (e-mail address, username, login identifier) goes through
 * before it is stored or looked up: Unicode NFKC, so `é` typed as one code point or as `e` + a
 * combining accent (NFD), or a full-width `ａｄｍｉｎ`, is the same identity. Case is folded by the
 * columns themselves (`citext`), so `Alice@Example.com` still reads back as it was typed.
 */
export function normalizeIdentity(value: string): string {
  return value.normalize('NFKC');
}

/** The comparison key two identities share when they are the same (normalised and case-folded). */
export function identityKey(value: string): string {
  return normalizeIdentity(value).toLowerCase();
}

/**
 * On the identity columns: whatever writes or finds a user through the entity (a repository's
 * insert/update, `findOneBy({ email })`) uses the normalised form. Query builders with raw
 * parameters call normalizeIdentity themselves.
 */
export const IDENTITY_TRANSFORMER: ValueTransformer = {
  to: (value: unknown) => (typeof value === 'string' ? normalizeIdentity(value) : value),
  from: (value: unknown) => value,
};
