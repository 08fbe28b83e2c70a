// Minimal HS256 JWT signing and checking with node:crypto only, for the bare node:http floor and for
// the floor's token. Not used by the application.
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

function hmac(key, data) {
  return createHmac('sha256', key).update(data).digest();
}

/** Claims shaped like a Gatehouse access token, so the floor parses a token of the same size. */
export function accessClaims({ subject, issuer, audience, ttlSeconds = 900 }) {
  const now = Math.floor(Date.now() / 1000);
  return {
    sid: randomUUID(),
    typ: 'access',
    scope: 'profile:read profile:write',
    roles: ['user'],
    iat: now,
    exp: now + ttlSeconds,
    aud: audience,
    iss: issuer,
    sub: subject,
    jti: randomUUID(),
  };
}

export function signHs256(claims, key) {
  const input = `${HEADER}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${input}.${hmac(key, input).toString('base64url')}`;
}

/**
 * The claims of a valid token, or undefined: three parts, header alg HS256, HMAC-SHA256 signature
 * compared in constant time, unexpired, and the expected issuer, audience and type.
 */
export function verifyHs256(token, key, { issuer, audience }) {
  const firstDot = token.indexOf('.');
  const lastDot = token.lastIndexOf('.');
  if (firstDot <= 0 || lastDot === firstDot || token.indexOf('.', firstDot + 1) !== lastDot) {
    return undefined;
  }
  let header;
  let claims;
  try {
    header = JSON.parse(Buffer.from(token.slice(0, firstDot), 'base64url').toString('utf8'));
    if (header?.alg !== 'HS256') return undefined;
    const expected = hmac(key, token.slice(0, lastDot));
    const given = Buffer.from(token.slice(lastDot + 1), 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    claims = JSON.parse(Buffer.from(token.slice(firstDot + 1, lastDot), 'base64url').toString());
  } catch {
    return undefined;
  }
  if (typeof claims !== 'object' || claims === null) return undefined;
  if (typeof claims.exp !== 'number' || claims.exp <= Date.now() / 1000) return undefined;
  if (claims.iss !== issuer || claims.aud !== audience || claims.typ !== 'access') return undefined;
  return claims;
}
