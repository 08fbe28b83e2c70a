import { OAuth2Error } from '../../common/errors/oauth2-error.js';
import { parseScope } from '../../access/scope.js';

export type TokenRequest =
  | { grantType: 'password'; username: string; password: string; scope?: string[] }
  | { grantType: 'refresh_token'; refreshToken: string; scope?: string[] };

function param(body: Record<string, unknown>, name: string, required: boolean): string | undefined {
  const value = body[name];
  if (value === undefined || value === '') {
    if (required) throw new OAuth2Error('invalid_request', `The ${name} parameter is required.`);
    return undefined;
  }
  // RFC 6749 §3.2: parameters must not be repeated (a repeated form field parses as an array).
  if (typeof value !== 'string') {
    throw new OAuth2Error(
      'invalid_request',
      `The ${name} parameter must be given once, as a string.`,
    );
  }
  return value;
}

/**
 * Reads an RFC 6749 token request (§4.3 password, §6 refresh_token). A missing grant_type with a
 * username and password is a password grant, as the original tutorial's clients send it.
 */
export function parseTokenRequest(body: unknown): TokenRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new OAuth2Error(
      'invalid_request',
      'The request body must be application/x-www-form-urlencoded.',
    );
  }
  const form = body as Record<string, unknown>;
  const grantType =
    param(form, 'grant_type', false) ??
    (form.username !== undefined && form.password !== undefined ? 'password' : undefined);
  if (grantType === undefined)
    throw new OAuth2Error('invalid_request', 'The grant_type parameter is required.');
  const scope = parseScope(param(form, 'scope', false));
  switch (grantType) {
    case 'password':
      return {
        grantType,
        username: param(form, 'username', true)!,
        password: param(form, 'password', true)!,
        scope,
      };
    case 'refresh_token':
      return { grantType, refreshToken: param(form, 'refresh_token', true)!, scope };
    default:
      throw new OAuth2Error(
        'unsupported_grant_type',
        'Supported grant types: password, refresh_token.',
      );
  }
}
