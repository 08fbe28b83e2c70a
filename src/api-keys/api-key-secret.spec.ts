import {
  API_KEY_PREFIX,
  DISPLAY_PREFIX_LENGTH,
  generateApiKey,
  hashApiKey,
  isWellFormedApiKey,
} from './api-key-secret.js';

describe('API key secrets', () => {
  it('generates distinct, recognisable, well-formed keys whose hash is SHA-256 of the key', () => {
    const keys = Array.from({ length: 50 }, () => generateApiKey());
    expect(new Set(keys.map((k) => k.key)).size).toBe(50);
    for (const { key, prefix, hash } of keys) {
      expect(key).toMatch(/^gatehouse_[0-9A-Za-z]{46}$/);
      expect(isWellFormedApiKey(key)).toBe(true);
      expect(prefix).toBe(key.slice(0, DISPLAY_PREFIX_LENGTH));
      expect(prefix.startsWith(API_KEY_PREFIX)).toBe(true);
      expect(hash).toMatch(/^[0-9a-f]{64}$/);
      expect(hash).toBe(hashApiKey(key));
      expect(hash).not.toContain(key.slice(API_KEY_PREFIX.length));
    }
  });

  it('draws from the whole base62 alphabet (at least 128 bits: 40 characters of ~5.95 bits)', () => {
    const seen = new Set(
      Array.from({ length: 200 }, () => generateApiKey().key.slice(API_KEY_PREFIX.length, -6))
        .join('')
        .split(''),
    );
    expect(seen.size).toBe(62);
  });

  it('rejects a changed character, a wrong prefix, extra text and other shapes', () => {
    const { key } = generateApiKey();
    const position = API_KEY_PREFIX.length + 5;
    const swapped = key[position] === 'a' ? 'b' : 'a';
    const typo = key.slice(0, position) + swapped + key.slice(position + 1);
    expect(isWellFormedApiKey(typo)).toBe(false);
    expect(isWellFormedApiKey(key.replace(API_KEY_PREFIX, 'gatehous3_'))).toBe(false);
    expect(isWellFormedApiKey(`${key} `)).toBe(false);
    expect(isWellFormedApiKey(`${key}, ${key}`)).toBe(false);
    expect(isWellFormedApiKey('')).toBe(false);
    expect(isWellFormedApiKey('not-a-key')).toBe(false);
  });
});
