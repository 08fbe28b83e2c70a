import { OAuth2Error } from '../common/errors/oauth2-error.js';

/** RFC 6749 §3.3 scope-token syntax. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

export function parseScope(raw: string | undefined): string[] | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const tokens = raw.trim().split(/ +/);
  if (!tokens.every((token) => SCOPE_TOKEN.test(token))) {
    throw new OAuth2Error('invalid_scope', 'The scope parameter is malformed.');
  }
  return [...new Set(tokens)];
}

/**
 * The scope to grant: the requested subset of what is allowed, or all of it when none is requested.
 * Asking for anything outside `allowed` is `invalid_scope`, never a silent narrowing.
 */
export function grantScope(requested: string[] | undefined, allowed: readonly string[]): string[] {
  if (requested === undefined) return [...allowed];
  const missing = requested.filter((scope) => !allowed.includes(scope));
  if (missing.length > 0) {
    throw new OAuth2Error(
      'invalid_scope',
      `Scope not available to this user: ${missing.join(' ')}`,
    );
  }
  return allowed.filter((scope) => requested.includes(scope));
}
