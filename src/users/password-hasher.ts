import { createHmac, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcrypt';
import { threadPoolSize } from '../common/thread-pool-priority.js';

/**
 * Password hashes in passlib's `bcrypt_sha256` v2 format, so no password is silently cut at bcrypt's
 * 72-byte limit and hashes stay interchangeable with the original tutorial's Python stack:
 *
 *   $bcrypt-sha256$v=2,t=2b,r=<cost>$<22-char salt>$<31-char bcrypt digest>
 *   digest = bcrypt(base64(HMAC-SHA256(key = salt, message = utf8(password))), cost, salt)
 *
 * Plain bcrypt hashes (`$2a$`, `$2b$`, `$2y$`, as passlib's default `bcrypt` scheme stored them) still
 * verify, and are reported as needing a rehash, as is any hash at a cost other than the current one.
 * All bcrypt work runs on libuv's thread pool (the async API), never on the event loop, and never on
 * every thread of it at once (`bcryptSlots`).
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

/** Runs at most `limit` jobs at once; the others wait their turn, in order. */
export class JobLimit {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number) {}

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.running < this.limit) this.running++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await job();
    } finally {
      // The slot passes straight to the next waiter, if any.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

/**
 * bcrypt jobs on libuv's pool at once: one thread fewer than the pool has. The rest of the process
 * needs that pool too, and waits behind every job queued on it: file reads, DNS lookups, and the
 * PBKDF2 of each new PostgreSQL connection's SCRAM handshake. With every thread hashing, 32 logins
 * of one account queued seconds of bcrypt ahead of a new connection, which then timed out (503s
 * after 8.5 s, and the mail worker's "connection timeout"). On a machine with as many cores as pool
 * threads this costs a quarter of the hashing rate: UV_THREADPOOL_SIZE=<cores + 1> gives it back.
 */
const bcryptSlots = new JobLimit(Math.max(1, threadPoolSize() - 1));

function hmacKey(password: string, salt: string): string {
  return createHmac('sha256', salt).update(password, 'utf8').digest('base64');
}

export class PasswordHasher {
  private dummyHash?: Promise<string>;

  constructor(private readonly rounds: number) {}

  async hash(password: string): Promise<string> {
    const salt = (await bcrypt.genSalt(this.rounds, 'b')).slice(7);
    const digest = await bcryptSlots.run(() =>
      bcrypt.hash(hmacKey(password, salt), `$2b$${String(this.rounds).padStart(2, '0')}$${salt}`),
    );
    return `${SHA256_PREFIX}v=2,t=2b,r=${this.rounds}$${salt}$${digest.slice(-31)}`;
  }

  async verify(password: string, stored: string): Promise<PasswordCheck> {
    const sha256 = SHA256_PATTERN.exec(stored);
    if (sha256) {
      const [, ident, cost, salt, expected] = sha256;
      const digest = await bcryptSlots.run(() =>
        bcrypt.hash(hmacKey(password, salt), `$${ident}$${cost.padStart(2, '0')}$${salt}`),
      );
      const valid = timingSafeEqual(Buffer.from(digest.slice(-31)), Buffer.from(expected));
      return { valid, needsRehash: valid && Number(cost) !== this.rounds };
    }
    if (PLAIN_PATTERN.test(stored)) {
      const valid = await bcryptSlots.run(() => bcrypt.compare(password, stored));
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
