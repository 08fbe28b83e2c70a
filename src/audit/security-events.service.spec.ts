import { sanitizeDetails } from './security-events.service.js';

describe('sanitizeDetails', () => {
  it('replaces the values of secret-named keys, whatever their case, and keeps the rest', () => {
    expect(
      sanitizeDetails({
        reason: 'password',
        Password: 'hunter2-hunter2',
        refresh_token: 'eyJ...',
        code: '123456',
        api_key: 'gh_live_secret',
        prefix: 'gh_live',
        count: 2,
      }),
    ).toEqual({
      reason: 'password',
      Password: '[redacted]',
      refresh_token: '[redacted]',
      code: '[redacted]',
      api_key: '[redacted]',
      prefix: 'gh_live',
      count: 2,
    });
  });

  it('bounds long strings and the number of keys', () => {
    const many = Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [`k${i}`, 'x'.repeat(600)]),
    );
    const clean = sanitizeDetails(many);
    expect(Object.keys(clean)).toHaveLength(32);
    expect(String(clean.k0)).toHaveLength(512);
    expect(sanitizeDetails(undefined)).toEqual({});
  });
});
