import { readFileSync, statSync } from 'node:fs';
import { tempDir } from '../../test/temp-dirs.js';
import { join } from 'node:path';
import { parseAuthConfig } from './auth.config.js';
import { SECRET_PLACEHOLDER } from './key-material.js';

const strong = 'a'.repeat(32);
const strong2 = 'b'.repeat(40);

describe('parseAuthConfig', () => {
  describe('in production', () => {
    const base = { NODE_ENV: 'production', SECRET_KEY: strong, REFRESH_SECRET_KEY: strong2 };

    it('accepts two strong, different secrets and the documented defaults', () => {
      expect(parseAuthConfig(base)).toEqual({
        secretKey: strong,
        refreshSecretKey: strong2,
        previousSecretKeys: [],
        previousRefreshSecretKeys: [],
        algorithm: 'HS256',
        accessTokenTtlSeconds: 900,
        refreshTokenTtlSeconds: 7 * 86400,
        issuer: 'gatehouse',
        audience: 'gatehouse-api',
        clockToleranceSeconds: 5,
        signingKeyEncryptionKey: undefined,
        signingKeyPublishSeconds: 600,
        signingKeyRotationDays: undefined,
      });
    });

    it('accepts the key-pair algorithms (any case) only with SIGNING_KEY_ENCRYPTION_KEY', () => {
      const key = 'k'.repeat(32);
      for (const algorithm of ['ES256', 'eddsa', 'RS256']) {
        const config = parseAuthConfig({
          ...base,
          ALGORITHM: algorithm,
          SIGNING_KEY_ENCRYPTION_KEY: key,
        });
        expect(config.algorithm.toUpperCase()).toBe(algorithm.toUpperCase());
        expect(config.signingKeyEncryptionKey).toBe(key);
      }
      expect(() => parseAuthConfig({ ...base, ALGORITHM: 'ES256' })).toThrow(
        /^SIGNING_KEY_ENCRYPTION_KEY is required in production$/,
      );
    });

    it('reads previous secrets (verification only) and the rotation settings', () => {
      const config = parseAuthConfig({
        ...base,
        PREVIOUS_SECRET_KEYS: `${'c'.repeat(32)}, ${'d'.repeat(32)}`,
        SIGNING_KEY_PUBLISH_SECONDS: '60',
        SIGNING_KEY_ROTATION_DAYS: '30',
      });
      expect(config.previousSecretKeys).toEqual(['c'.repeat(32), 'd'.repeat(32)]);
      expect(config.signingKeyPublishSeconds).toBe(60);
      expect(config.signingKeyRotationDays).toBe(30);
      expect(() => parseAuthConfig({ ...base, PREVIOUS_SECRET_KEYS: 'short' })).toThrow(
        /^PREVIOUS_SECRET_KEYS must be at least 32 bytes/,
      );
    });

    it.each([
      ['a missing SECRET_KEY', { SECRET_KEY: undefined }, /^SECRET_KEY is required in production$/],
      [
        'a missing REFRESH_SECRET_KEY',
        { REFRESH_SECRET_KEY: '' },
        /^REFRESH_SECRET_KEY is required/,
      ],
      [
        'a 31-byte SECRET_KEY',
        { SECRET_KEY: 'x'.repeat(31) },
        /^SECRET_KEY must be at least 32 bytes/,
      ],
      [
        'the placeholder',
        { REFRESH_SECRET_KEY: SECRET_PLACEHOLDER },
        /^REFRESH_SECRET_KEY is still the \.env\.example placeholder/,
      ],
      [
        'equal secrets',
        { REFRESH_SECRET_KEY: strong },
        /REFRESH_SECRET_KEY must differ from SECRET_KEY/,
      ],
      [
        'ALGORITHM none',
        { ALGORITHM: 'none' },
        /^ALGORITHM must be one of HS256, HS384, HS512, ES256, EdDSA, RS256$/,
      ],
      ['ALGORITHM PS256', { ALGORITHM: 'PS256' }, /^ALGORITHM must be one of/],
      [
        'a non-numeric lifetime',
        { ACCESS_TOKEN_EXPIRE_MINUTES: '15m' },
        /^ACCESS_TOKEN_EXPIRE_MINUTES must be a whole number/,
      ],
      [
        'a zero lifetime',
        { REFRESH_TOKEN_EXPIRE_DAYS: '0' },
        /^REFRESH_TOKEN_EXPIRE_DAYS must be between 1 and 365/,
      ],
    ])('refuses %s with one line naming the variable', (_name, overrides, message) => {
      expect(() => parseAuthConfig({ ...base, ...overrides })).toThrow(message);
    });
  });

  describe('in development', () => {
    it('generates strong secrets once and keeps them in the data directory (mode 0600)', () => {
      const dir = tempDir('gatehouse-config-');
      const first = parseAuthConfig({ GATEHOUSE_DATA_DIR: dir });
      const second = parseAuthConfig({ GATEHOUSE_DATA_DIR: dir });
      expect(first.secretKey).toBe(second.secretKey);
      expect(first.refreshSecretKey).toBe(second.refreshSecretKey);
      expect(first.secretKey).not.toBe(first.refreshSecretKey);
      expect(Buffer.byteLength(first.secretKey)).toBeGreaterThanOrEqual(32);
      const file = join(dir, 'secrets.json');
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
        SECRET_KEY: first.secretKey,
        REFRESH_SECRET_KEY: first.refreshSecretKey,
      });
      expect(statSync(file).mode & 0o777).toBe(0o600);
    });

    it('uses given secrets over generated ones, and still refuses short ones', () => {
      const dir = tempDir('gatehouse-config-');
      expect(parseAuthConfig({ GATEHOUSE_DATA_DIR: dir, SECRET_KEY: strong }).secretKey).toBe(
        strong,
      );
      expect(() => parseAuthConfig({ GATEHOUSE_DATA_DIR: dir, SECRET_KEY: 'short' })).toThrow(
        /SECRET_KEY must be at least 32 bytes/,
      );
    });
  });
});
