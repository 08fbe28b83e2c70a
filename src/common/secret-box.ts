import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** HKDF labels: one derived key per use, so a ciphertext of one kind never opens as another. */
export const SECRET_BOX_PURPOSES = {
  /** TOTP secrets (TWO_FACTOR_ENCRYPTION_KEY), bound to the user id. */
  twoFactor: 'gatehouse two-factor secret v1',
  /** Private signing keys (SIGNING_KEY_ENCRYPTION_KEY), bound to the key id. */
  signingKey: 'gatehouse signing key v1',
  /** Link tokens of mails waiting in the outbox (TWO_FACTOR_ENCRYPTION_KEY, its own label), bound to the outbox row. */
  mailOutbox: 'gatehouse mail outbox token v1',
} as const;

/**
 * AES-256-GCM for secrets at rest (TOTP secrets, private signing keys, the tokens of mails waiting in
 * the outbox). The 256-bit key is derived (HKDF-SHA256) from the key material and a purpose label, so
 * each use has its own key; each value gets a fresh 96-bit IV, and the owning row's id is bound in as
 * additional data, so a ciphertext copied onto another row does not decrypt.
 * Stored form: `v1:<base64url(iv | tag | ciphertext)>`.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(
    keyMaterial: string,
    purpose: (typeof SECRET_BOX_PURPOSES)[keyof typeof SECRET_BOX_PURPOSES],
  ) {
    this.key = Buffer.from(hkdfSync('sha256', keyMaterial, Buffer.alloc(0), purpose, 32));
  }

  seal(plaintext: string, userId: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(userId));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
  }

  /** Throws when the value was not sealed with this key for this user (tampered, wrong key). */
  open(sealed: string, userId: string): string {
    const [version, payload] = sealed.split(':');
    if (version !== VERSION || !payload) throw new Error('unknown secret format');
    const raw = Buffer.from(payload, 'base64url');
    if (raw.length < IV_BYTES + TAG_BYTES) throw new Error('sealed value too short');
    // The full 128-bit tag only: node would otherwise accept a truncated one.
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(Buffer.from(userId));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([
      decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  }
}
