import { jest } from '@jest/globals';
import { createSigner } from 'fast-jwt';
import type { JwtKey } from '../signing-keys/signing-keys.service.js';
import { type JwtVerifierOptions, KeyedJwtVerifier } from './jwt-verifier.js';

const ISSUER = 'gatehouse';
const AUDIENCE = 'gatehouse-api';
const NOW = Date.UTC(2026, 10, 30, 12, 0, 0);

function hsKey(kid: string): JwtKey {
  return { kid, algorithm: 'HS256', key: `${kid}-secret-of-at-least-32-bytes-long` };
}

function sign(key: JwtKey, claims: Record<string, unknown>): string {
  const payload: Record<string, unknown> = {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'someone',
    iat: Math.floor(NOW / 1000),
    ...claims,
  };
  // `undefined` in `claims` leaves that claim out of the token.
  for (const name of Object.keys(payload)) if (payload[name] === undefined) delete payload[name];
  return createSigner({
    key: key.key,
    algorithm: key.algorithm,
    kid: key.kid,
    // The signer adds an iat of its own unless told not to.
    noTimestamp: payload.iat === undefined,
  })(payload);
}

describe('KeyedJwtVerifier', () => {
  let keys: JwtKey[];
  let version: number;
  let verifier: KeyedJwtVerifier;

  /** A verifier over `keys` (as they are when it looks), with options of the test's own. */
  const verifierWith = (options: Partial<JwtVerifierOptions> = {}) =>
    new KeyedJwtVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      clockToleranceSeconds: 5,
      keys: () => keys,
      version: () => version,
      ...options,
    });

  beforeEach(() => {
    jest.useFakeTimers({ now: NOW });
    keys = [hsKey('one'), hsKey('two')];
    version = 1;
    verifier = verifierWith();
  });
  afterEach(() => jest.useRealTimers());

  it('verifies by kid, and answers a token it verified before with the same frozen claims', () => {
    const token = sign(keys[1], { exp: NOW / 1000 + 60 });
    const first = verifier.verify(token);
    expect(first).toMatchObject({ sub: 'someone', iss: ISSUER, aud: AUDIENCE });
    expect(Object.isFrozen(first)).toBe(true);
    expect(verifier.verify(token)).toBe(first);
  });

  it('refuses a remembered token once it has expired (beyond the tolerance)', () => {
    const token = sign(keys[0], { exp: NOW / 1000 + 60 });
    expect(verifier.verify(token)).toBeDefined();
    jest.setSystemTime(NOW + 64_000);
    expect(verifier.verify(token)).toBeDefined();
    jest.setSystemTime(NOW + 66_000);
    expect(verifier.verify(token)).toBeUndefined();
  });

  it('refuses a remembered token whose key left the key set', () => {
    const token = sign(keys[0], { exp: NOW / 1000 + 600 });
    expect(verifier.verify(token)).toBeDefined();
    keys = [keys[1]];
    version = 2;
    expect(verifier.verify(token)).toBeUndefined();
  });

  it('does not remember a token before its nbf, nor answer it early', () => {
    const token = sign(keys[0], { exp: NOW / 1000 + 600, nbf: NOW / 1000 + 60 });
    expect(verifier.verify(token)).toBeUndefined();
    jest.setSystemTime(NOW + 60_000);
    expect(verifier.verify(token)).toBeDefined();
  });

  it('refuses a token changed by one character, an unknown kid and garbage', () => {
    const token = sign(keys[0], { exp: NOW / 1000 + 600 });
    expect(verifier.verify(token)).toBeDefined();
    const tampered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'AB' : 'AA'}`;
    expect(verifier.verify(tampered)).toBeUndefined();
    expect(verifier.verify(sign(hsKey('three'), { exp: NOW / 1000 + 600 }))).toBeUndefined();
    expect(verifier.verify('not.a.jwt')).toBeUndefined();
  });

  it('refuses a genuinely signed token without iss, aud or iat (fast-jwt checks them only when present)', () => {
    const exp = NOW / 1000 + 600;
    expect(verifier.verify(sign(keys[0], { exp }))).toBeDefined();
    expect(verifier.verify(sign(keys[0], { exp, iss: undefined }))).toBeUndefined();
    expect(verifier.verify(sign(keys[0], { exp, aud: undefined }))).toBeUndefined();
    expect(verifier.verify(sign(keys[0], { exp, iat: undefined }))).toBeUndefined();
    expect(verifier.verify(sign(keys[0], { exp, iss: 'someone-else' }))).toBeUndefined();
  });

  it('verifyCurrent reloads the keys once for a kid it has not heard of, and only for that', async () => {
    const late = hsKey('three');
    const token = sign(late, { exp: NOW / 1000 + 60 });
    const reloadKeys = jest.fn(async () => {
      keys = [...keys, late];
      version++;
      return true;
    });
    const reloading = verifierWith({ reloadKeys });
    expect(reloading.verify(token)).toBeUndefined();
    expect(await reloading.verifyCurrent(token)).toMatchObject({ sub: 'someone' });
    expect(reloadKeys).toHaveBeenCalledTimes(1);
    // A known kid with a bad signature is refused without a reload.
    const forged = sign(
      { ...keys[0], key: 'another-secret-of-at-least-32-bytes!!' },
      { exp: NOW / 1000 + 60 },
    );
    expect(await reloading.verifyCurrent(forged)).toBeUndefined();
    expect(reloadKeys).toHaveBeenCalledTimes(1);
  });
});
