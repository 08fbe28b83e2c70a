import { readFileSync } from 'node:fs';
import { JobLimit, PasswordHasher } from './password-hasher.js';

interface Fixture {
  scheme: string;
  password: string;
  hash: string;
}

const fixtures = (
  JSON.parse(
    readFileSync(new URL('../../test/fixtures/passlib-hashes.json', import.meta.url), 'utf8'),
  ) as {
    hashes: Fixture[];
  }
).hashes;

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher(4);

  it.each(fixtures.map((f) => [f.scheme, f.password, f.hash]))(
    'verifies the original tutorial hash (%s) for %j',
    async (_scheme, password, hash) => {
      const check = await hasher.verify(password, hash);
      expect(check).toEqual({ valid: true, needsRehash: true });
      // Changed at the start: legacy bcrypt ignores anything after byte 72 (tested below).
      expect((await hasher.verify(`!${password}`, hash)).valid).toBe(false);
    },
  );

  it('makes passlib bcrypt_sha256 v2 hashes that round-trip and need no rehash at the same cost', async () => {
    const hash = await hasher.hash('correct horse battery staple');
    expect(hash).toMatch(/^\$bcrypt-sha256\$v=2,t=2b,r=4\$[./A-Za-z0-9]{22}\$[./A-Za-z0-9]{31}$/);
    expect(await hasher.verify('correct horse battery staple', hash)).toEqual({
      valid: true,
      needsRehash: false,
    });
    expect((await hasher.verify('correct horse battery stapl', hash)).valid).toBe(false);
  });

  it('does not let two passwords that differ only after byte 72 both verify', async () => {
    const long = 'A'.repeat(72);
    const hash = await hasher.hash(`${long}X`);
    expect((await hasher.verify(`${long}X`, hash)).valid).toBe(true);
    expect((await hasher.verify(`${long}Y`, hash)).valid).toBe(false);
  });

  it('shows the legacy plain-bcrypt truncation that the upgrade on login removes', async () => {
    const legacy = fixtures.find((f) => f.hash.startsWith('$2b$') && f.password.length > 72)!;
    expect((await hasher.verify(`${'A'.repeat(72)}Y`, legacy.hash)).valid).toBe(true);
    const sha256 = fixtures.find((f) => f.hash.startsWith('$bcrypt-sha256$'))!;
    expect((await hasher.verify(`${'A'.repeat(72)}Y`, sha256.hash)).valid).toBe(false);
  });

  it('asks for a rehash when the cost differs from the configured one', async () => {
    const hash = await new PasswordHasher(5).hash('some password');
    expect(await hasher.verify('some password', hash)).toEqual({ valid: true, needsRehash: true });
  });

  it('rejects unknown hash formats and the dummy check', async () => {
    expect(await hasher.verify('x', 'plaintext')).toEqual({ valid: false, needsRehash: false });
    expect(await hasher.verifyDummy('anything')).toBe(false);
  });
});

describe('JobLimit', () => {
  const tick = () => new Promise((resolve) => setImmediate(resolve));

  it('runs at most its limit at once, the rest in the order they came, and frees a failed slot', async () => {
    const limit = new JobLimit(2);
    const started: number[] = [];
    const finish: Array<(ok: boolean) => void> = [];
    const results = [1, 2, 3, 4].map((n) =>
      limit
        .run(
          () =>
            new Promise<number>((resolve, reject) => {
              started.push(n);
              finish[n] = (ok) => (ok ? resolve(n) : reject(new Error(`job ${n}`)));
            }),
        )
        .catch((error: Error) => error.message),
    );
    await tick();
    expect(started).toEqual([1, 2]);
    finish[2](false);
    await tick();
    expect(started).toEqual([1, 2, 3]);
    finish[1](true);
    await tick();
    expect(started).toEqual([1, 2, 3, 4]);
    finish[3](true);
    finish[4](true);
    expect(await Promise.all(results)).toEqual([1, 'job 2', 3, 4]);
  });
});
