import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configProblems, validateConfig } from './validate-config.js';

const strong = (c: string) => c.repeat(40);
const production = {
  NODE_ENV: 'production',
  SECRET_KEY: strong('a'),
  REFRESH_SECRET_KEY: strong('b'),
  TWO_FACTOR_ENCRYPTION_KEY: strong('c'),
  SMTP_URL: 'smtp://mail.example.com:587',
};

describe('configProblems', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-config-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('accepts a complete production configuration, and the three NODE_ENV values', () => {
    expect(configProblems(production)).toEqual([]);
    for (const NODE_ENV of ['development', 'test', undefined]) {
      expect(configProblems({ NODE_ENV, GATEHOUSE_DATA_DIR: dataDir })).toEqual([]);
    }
  });

  it.each(['prod', 'Production', 'staging', 'production '])(
    'refuses NODE_ENV=%j rather than running development mode',
    (NODE_ENV) => {
      expect(configProblems({ ...production, NODE_ENV })).toContain(
        `NODE_ENV must be exactly one of production, development, test, got "${NODE_ENV}" (anything else would silently run in development mode)`,
      );
    },
  );

  it('names every missing or weak production setting at once', () => {
    expect(
      configProblems({ NODE_ENV: 'production', PASSWORD_HASH_ROUNDS: '4', METRICS_TOKEN: 'short' }),
    ).toEqual([
      'SECRET_KEY is required in production',
      'REFRESH_SECRET_KEY is required in production',
      'TWO_FACTOR_ENCRYPTION_KEY is required in production',
      'PASSWORD_HASH_ROUNDS must be at least 10 in production',
      'METRICS_TOKEN must be at least 32 characters long',
      'SMTP_URL is required in production (smtp://user:password@host:port or smtps://...)',
    ]);
  });

  it('refuses key material used for two purposes, in any environment', () => {
    expect(configProblems({ ...production, TWO_FACTOR_ENCRYPTION_KEY: strong('a') })).toEqual([
      'TWO_FACTOR_ENCRYPTION_KEY must differ from SECRET_KEY',
    ]);
    expect(
      configProblems({
        GATEHOUSE_DATA_DIR: dataDir,
        SECRET_KEY: strong('d'),
        REFRESH_SECRET_KEY: strong('d'),
        METRICS_TOKEN: strong('d'),
      }),
    ).toEqual([
      'REFRESH_SECRET_KEY must differ from SECRET_KEY',
      'METRICS_TOKEN must differ from SECRET_KEY',
      'METRICS_TOKEN must differ from REFRESH_SECRET_KEY',
    ]);
  });

  it("refuses a retired secret that is another variable's value, without naming the value", () => {
    const secrets = { SECRET_KEY: strong('s'), REFRESH_SECRET_KEY: strong('r') };
    const problems = configProblems({
      GATEHOUSE_DATA_DIR: dataDir,
      ...secrets,
      PREVIOUS_SECRET_KEYS: `${strong('o')},${strong('r')},${strong('s')}`,
      PREVIOUS_REFRESH_SECRET_KEYS: `${strong('s')},${strong('o')}`,
    });
    expect(problems).toEqual([
      'PREVIOUS_SECRET_KEYS must not hold the value of REFRESH_SECRET_KEY',
      'PREVIOUS_REFRESH_SECRET_KEYS must not hold the value of SECRET_KEY',
      'PREVIOUS_REFRESH_SECRET_KEYS must not share a value with PREVIOUS_SECRET_KEYS',
    ]);
    expect(problems.join(' ')).not.toContain(strong('o'));
    // Its own current secret in a list is harmless (ignored), and distinct lists are fine.
    expect(
      configProblems({
        GATEHOUSE_DATA_DIR: dataDir,
        ...secrets,
        PREVIOUS_SECRET_KEYS: `${strong('s')},${strong('o')}`,
        PREVIOUS_REFRESH_SECRET_KEYS: strong('p'),
      }),
    ).toEqual([]);
  });

  it('throws one ConfigError listing them all, earlier problems (.env lines) first', () => {
    expect(() =>
      validateConfig({ NODE_ENV: 'production' }, ['.env line 3: expected NAME=value']),
    ).toThrow(
      /^5 configuration problems:\n {2}- \.env line 3: expected NAME=value\n {2}- SECRET_KEY is required in production\n/,
    );
  });
});
