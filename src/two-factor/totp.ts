import { hash, randomBytes } from 'node:crypto';

/**
 * otplib, imported with the first 2FA setup or code rather than at start-up (about 50 ms of every
 * start), as the service's qrCodes() is: most processes only serve tokens. The module loader keeps it.
 */
function otplib(): Promise<typeof import('otplib')> {
  return import('otplib');
}

/** RFC 6238 defaults every authenticator app understands: SHA-1, 6 digits, 30-second steps. */
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** 160 bits, RFC 4226's recommended secret length. */
const SECRET_BYTES = 20;

export const TOTP_CODE_PATTERN = /^\d{6}$/;
/** Four groups of four base32 characters: 80 random bits. */
export const RECOVERY_CODE_PATTERN = /^[A-Za-z2-7]{4}(-?[A-Za-z2-7]{4}){3}$/;
export const RECOVERY_CODE_COUNT = 10;

export async function newTotpSecret(): Promise<string> {
  return (await otplib()).generateSecret({ length: SECRET_BYTES });
}

export async function otpauthUrl(
  issuer: string,
  accountName: string,
  secret: string,
): Promise<string> {
  return (await otplib()).generateURI({
    issuer,
    label: accountName,
    secret,
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
  });
}

/**
 * The time step a code belongs to, when it is the code of the current or the previous step and of a
 * step after `afterStep` (the last one used: replay protection); otherwise undefined. No future step.
 */
export async function matchTotp(
  secret: string,
  code: string,
  nowMs: number,
  afterStep: number | null,
): Promise<number | undefined> {
  const result = (await otplib()).verifySync({
    strategy: 'totp',
    secret,
    token: code,
    epoch: Math.floor(nowMs / 1000),
    period: TOTP_PERIOD_SECONDS,
    digits: TOTP_DIGITS,
    epochTolerance: [TOTP_PERIOD_SECONDS, 0],
    ...(afterStep !== null ? { afterTimeStep: afterStep } : {}),
  });
  return result.valid && 'timeStep' in result ? result.timeStep : undefined;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** `ABCD-EFGH-IJKL-MNOP`: 16 base32 characters from 80 random bits. */
export function newRecoveryCode(): string {
  const bytes = randomBytes(10);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out.match(/.{4}/g)!.join('-');
}

/** Case and dashes do not matter to the user, so they do not matter to the hash. */
export function hashRecoveryCode(code: string): string {
  return hash('sha256', code.replace(/-/g, '').toUpperCase(), 'hex');
}
