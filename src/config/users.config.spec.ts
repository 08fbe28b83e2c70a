import { parseUsersConfig } from './users.config.js';

describe('parseUsersConfig', () => {
  it('defaults to bcrypt cost 12 and no bootstrap admin', () => {
    expect(parseUsersConfig({})).toEqual({
      passwordHashRounds: 12,
      lockoutThreshold: 10,
      lockoutMinutes: 15,
      bootstrapAdmin: undefined,
    });
  });

  it('needs all three ADMIN_* variables or none', () => {
    expect(() => parseUsersConfig({ ADMIN_EMAIL: 'a@example.com' })).toThrow(
      /must be set together/,
    );
    expect(
      parseUsersConfig({
        ADMIN_EMAIL: 'a@example.com',
        ADMIN_USERNAME: 'root',
        ADMIN_PASSWORD: 'long password',
      }).bootstrapAdmin,
    ).toEqual({ email: 'a@example.com', username: 'root', password: 'long password' });
  });

  it('refuses a weak bcrypt cost in production', () => {
    expect(() => parseUsersConfig({ NODE_ENV: 'production', PASSWORD_HASH_ROUNDS: '4' })).toThrow(
      /at least 10/,
    );
    expect(parseUsersConfig({ PASSWORD_HASH_ROUNDS: '4' }).passwordHashRounds).toBe(4);
  });
});
