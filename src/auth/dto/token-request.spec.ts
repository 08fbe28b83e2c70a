import { OAuth2Error } from '../../common/errors/oauth2-error.js';
import { grantScope } from '../../access/scope.js';
import { parseTokenRequest } from './token-request.js';

function errorOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof OAuth2Error) return error.error;
    throw error;
  }
  return undefined;
}

describe('parseTokenRequest', () => {
  it('reads the password and refresh_token grants, with scope', () => {
    expect(
      parseTokenRequest({
        grant_type: 'password',
        username: 'a',
        password: 'b',
        scope: 'read:items  write:items',
      }),
    ).toEqual({
      grantType: 'password',
      username: 'a',
      password: 'b',
      scope: ['read:items', 'write:items'],
    });
    expect(parseTokenRequest({ grant_type: 'refresh_token', refresh_token: 'r' })).toEqual({
      grantType: 'refresh_token',
      refreshToken: 'r',
      scope: undefined,
    });
  });

  it('treats username + password without grant_type as a password grant', () => {
    expect(parseTokenRequest({ username: 'a', password: 'b' })).toMatchObject({
      grantType: 'password',
    });
  });

  it.each([
    [null, 'invalid_request'],
    [[], 'invalid_request'],
    [{}, 'invalid_request'],
    [{ grant_type: 'password', username: 'a' }, 'invalid_request'],
    [{ grant_type: 'password', username: ['a', 'b'], password: 'c' }, 'invalid_request'],
    [{ grant_type: 'implicit' }, 'unsupported_grant_type'],
    [{ grant_type: 'password', username: 'a', password: 'b', scope: 'a"b' }, 'invalid_scope'],
  ])('%j -> %s', (body, error) => {
    expect(errorOf(() => parseTokenRequest(body))).toBe(error);
  });
});

describe('grantScope', () => {
  const allowed = ['read:items', 'write:items', 'delete:items'];
  it('grants everything allowed when nothing is requested, the subset otherwise, in vocabulary order', () => {
    expect(grantScope(undefined, allowed)).toEqual(allowed);
    expect(grantScope(['delete:items', 'read:items'], allowed)).toEqual([
      'read:items',
      'delete:items',
    ]);
  });
  it('refuses anything outside what is allowed', () => {
    expect(errorOf(() => grantScope(['read:items', 'write:users'], allowed))).toBe('invalid_scope');
  });
});
