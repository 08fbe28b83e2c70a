import { readFileSync, statSync } from 'node:fs';
import { tempDir } from '../../test/temp-dirs.js';
import { join } from 'node:path';
import { SECRET_PLACEHOLDER } from './key-material.js';
import { parseTwoFactorConfig } from './two-factor.config.js';

const strong = 'k'.repeat(32);

describe('parseTwoFactorConfig', () => {
  describe('in production', () => {
    const base = { NODE_ENV: 'production', TWO_FACTOR_ENCRYPTION_KEY: strong };

    it('accepts a strong key and the documented defaults', () => {
      expect(parseTwoFactorConfig(base)).toEqual({
        encryptionKey: strong,
        issuer: 'Gatehouse',
        requiredRoles: [],
      });
    });

    it.each([
      [
        'a missing key',
        { TWO_FACTOR_ENCRYPTION_KEY: undefined },
        /^TWO_FACTOR_ENCRYPTION_KEY is required in production$/,
      ],
      [
        'a 31-byte key',
        { TWO_FACTOR_ENCRYPTION_KEY: 'x'.repeat(31) },
        /^TWO_FACTOR_ENCRYPTION_KEY must be at least 32 bytes/,
      ],
      [
        'the placeholder',
        { TWO_FACTOR_ENCRYPTION_KEY: SECRET_PLACEHOLDER },
        /^TWO_FACTOR_ENCRYPTION_KEY is still the \.env\.example placeholder/,
      ],
      [
        'an unknown role',
        { REQUIRE_2FA_ROLES: 'admin,superuser' },
        /^REQUIRE_2FA_ROLES names unknown roles: superuser$/,
      ],
      ['an issuer with a colon', { TWO_FACTOR_ISSUER: 'a:b' }, /^TWO_FACTOR_ISSUER must not/],
    ])('refuses %s with one line naming the variable', (_what, change, message) => {
      expect(() => parseTwoFactorConfig({ ...base, ...change })).toThrow(message);
    });

    it('reads the roles that must enrol', () => {
      expect(
        parseTwoFactorConfig({ ...base, REQUIRE_2FA_ROLES: ' admin , moderator ' }).requiredRoles,
      ).toEqual(['admin', 'moderator']);
    });
  });

  describe('in development', () => {
    it('generates a key once, keeps it in the data directory (0600) and reuses it', () => {
      const dir = tempDir('gatehouse-2fa-');
      const env = { NODE_ENV: 'development', GATEHOUSE_DATA_DIR: dir };
      const first = parseTwoFactorConfig(env).encryptionKey;
      expect(Buffer.byteLength(first)).toBeGreaterThanOrEqual(32);
      expect(parseTwoFactorConfig(env).encryptionKey).toBe(first);
      expect(readFileSync(join(dir, 'two-factor-key'), 'utf8')).toBe(first);
      expect(statSync(join(dir, 'two-factor-key')).mode & 0o777).toBe(0o600);
    });

    it('uses a given key rather than generating one', () => {
      const dir = tempDir('gatehouse-2fa-');
      expect(
        parseTwoFactorConfig({ GATEHOUSE_DATA_DIR: dir, TWO_FACTOR_ENCRYPTION_KEY: strong })
          .encryptionKey,
      ).toBe(strong);
    });
  });
});
