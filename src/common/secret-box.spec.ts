import { SECRET_BOX_PURPOSES, SecretBox } from './secret-box.js';

const userA = '6f1c1e9e-7a43-4c47-9a52-1b1f4f6f0a01';
const userB = '6f1c1e9e-7a43-4c47-9a52-1b1f4f6f0a02';

describe('SecretBox (AES-256-GCM)', () => {
  const box = new SecretBox('k'.repeat(32), SECRET_BOX_PURPOSES.twoFactor);

  it('round-trips, with a fresh IV each time and no plaintext in the sealed form', () => {
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    const one = box.seal(secret, userA);
    const two = box.seal(secret, userA);
    expect(one).not.toBe(two);
    expect(one).toMatch(/^v1:[A-Za-z0-9_-]+$/);
    expect(one).not.toContain(secret);
    expect(box.open(one, userA)).toBe(secret);
  });

  it('refuses another user’s row, another key and a tampered value', () => {
    const sealed = box.seal('JBSWY3DPEHPK3PXP', userA);
    expect(() => box.open(sealed, userB)).toThrow();
    expect(() =>
      new SecretBox('z'.repeat(32), SECRET_BOX_PURPOSES.twoFactor).open(sealed, userA),
    ).toThrow();
    expect(() =>
      new SecretBox('k'.repeat(32), SECRET_BOX_PURPOSES.signingKey).open(sealed, userA),
    ).toThrow();
    const raw = Buffer.from(sealed.slice(3), 'base64url');
    raw[raw.length - 1] ^= 1;
    expect(() => box.open(`v1:${raw.toString('base64url')}`, userA)).toThrow();
    expect(() => box.open('v2:abc', userA)).toThrow();
  });

  it('refuses a truncated authentication tag and a value too short to hold one', () => {
    const sealed = box.seal('', userA);
    const raw = Buffer.from(sealed.slice(3), 'base64url');
    // iv (12) | 4 bytes of the tag: node accepts short GCM tags unless told the length.
    const shortTag = `v1:${raw.subarray(0, 16).toString('base64url')}`;
    expect(() => box.open(shortTag, userA)).toThrow();
    expect(() => box.open('v1:AAAA', userA)).toThrow();
  });
});
