import { createHmac, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcrypt';

/**
 * Password hashes in passlib's `bcrypt_sha256` v2 format, so no password is silently cut at bcrypt's
 * 72-byte limit and hashes stay interchangeable with the original tutorial's Python stack:
 *
 *   $bcrypt-sha256$v=2,t=2b,r=<cost>$<22-char salt>$<31-char bcrypt digest>
 *   digest = bcrypt(base64(HMAC-SHA256(key = salt, message = utf8(password))), cost, salt)
 *
 * Plain bcrypt hashes (`$2a$`, `$2b$`, `$2y$`, as passlib's default `bcrypt` scheme stored them) still
 * verify, and are reported as needing a rehash, as is any hash at a cost other than the current one.
 * All bcrypt work runs on libuv's thread pool (the async API), never on the event loop.
 */
const SHA256_PREFIX = '$bcrypt-sha256$';
const SHA256_PATTERN =
  /^\$bcrypt-sha256\$v=2,t=(2a|2b),r=(\d{1,2})\$([./A-Za-z0-9]{22})\$([./A-Za-z0-9]{31})$/;
const PLAIN_PATTERN = /^\$(2a|2b|2y)\$(\d{2})\$[./A-Za-z0-9]{53}$/;

export interface PasswordCheck {
  valid: boolean;
  /** The stored hash should be replaced by `hash(password)` now that the password is known. */
  needsRehash: boolean;
}

function hmacKey(password: string, salt: string): string {
  return createHmac('sha256', salt).update(password, 'utf8').digest('base64');
}

export class PasswordHasher {
  private dummyHash?: Promise<string>;

  constructor(private readonly rounds: number) {}

  async hash(password: string): Promise<string> {
    const salt = (await bcrypt.genSalt(this.rounds, 'b')).slice(7);
    const digest = await bcrypt.hash(
      hmacKey(password, salt),
      `$2b$${String(this.rounds).padStart(2, '0')}$${salt}`,
    );
    return `${SHA256_PREFIX}v=2,t=2b,r=${this.rounds}$${salt}$${digest.slice(-31)}`;
  }

  async verify(password: string, stored: string): Promise<PasswordCheck> {
    const sha256 = SHA256_PATTERN.exec(stored);
    if (sha256) {
      const [, ident, cost, salt, expected] = sha256;
      const digest = await bcrypt.hash(
        hmacKey(password, salt),
        `$${ident}$${cost.padStart(2, '0')}$${salt}`,
      );
      const valid = timingSafeEqual(Buffer.from(digest.slice(-31)), Buffer.from(expected));
      return { valid, needsRehash: valid && Number(cost) !== this.rounds };
    }
    if (PLAIN_PATTERN.test(stored)) {
      const valid = await bcrypt.compare(password, stored);
      return { valid, needsRehash: valid };
    }
    return { valid: false, needsRehash: false };
  }

  /** Spends the same time as a real check, for logins of unknown users. Always false. */
  async verifyDummy(password: string): Promise<false> {
    this.dummyHash ??= this.hash('dummy password for timing equalisation');
    await this.verify(password, await this.dummyHash);
    return false;
  }
}
