import { createHmac } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { importPKCS8, SignJWT } from 'jose';
import { SigningKeysService } from '../src/signing-keys/signing-keys.service.js';

/** An independent JWT encoder, so tests can forge exactly the token they mean to send. */
const b64url = (value: object | Buffer) =>
  (Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value))).toString('base64url');

export function signJwt(
  payload: Record<string, unknown>,
  secret: string,
  header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' },
): string {
  const input = `${b64url(header)}.${b64url(payload)}`;
  const alg = String(header.alg);
  if (alg === 'none') return `${input}.`;
  const digest = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' }[alg] ?? 'sha256';
  return `${input}.${createHmac(digest, secret).update(input).digest('base64url')}`;
}

export function decodeJwt(token: string): Record<string, any> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

/**
 * Signs claims with the key the running app signs with now (its HS secret, or its active key pair under
 * ALGORITHM=ES256 and the like), so a spec can send a token that differs from a genuine one only in the
 * claims it means to test.
 */
export async function signAsServer(
  app: INestApplication,
  payload: Record<string, unknown>,
): Promise<string> {
  const key = app.get(SigningKeysService).signingKey();
  const header = { alg: key.algorithm, typ: 'JWT', kid: key.kid };
  if (key.algorithm.startsWith('HS')) return signJwt(payload, key.key, header);
  return new SignJWT(payload)
    .setProtectedHeader(header)
    .sign(await importPKCS8(key.key, key.algorithm));
}
