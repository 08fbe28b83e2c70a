import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * What an operator sees when the configuration is wrong: `npm start` (the built main.js) exits 1 with
 * one message naming every problem, before any database starts. Run in a scratch directory holding
 * only a `.env`, with none of the test run's own settings.
 */
const MAIN = resolve('dist/src/main.js');
const strong = (c: string) => c.repeat(40);
const dirs: string[] = [];

function start(
  env: Record<string, string>,
  dotenv?: string,
): { status: number | null; stderr: string } {
  const cwd = mkdtempSync(join(tmpdir(), 'gatehouse-config-'));
  dirs.push(cwd);
  if (dotenv !== undefined) writeFileSync(join(cwd, '.env'), dotenv);
  const result = spawnSync(process.execPath, [MAIN], {
    cwd,
    env: { PATH: process.env.PATH, GATEHOUSE_DATA_DIR: join(cwd, '.data'), PORT: '0', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { status: result.status, stderr: result.stderr };
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('start-up configuration checks', () => {
  it.each(['prod', 'Production', 'staging', 'production '])(
    'refuses NODE_ENV=%j instead of running in development mode',
    (value) => {
      const { status, stderr } = start({
        NODE_ENV: value,
        SECRET_KEY: strong('a'),
        REFRESH_SECRET_KEY: strong('b'),
        TWO_FACTOR_ENCRYPTION_KEY: strong('c'),
        PASSWORD_HASH_ROUNDS: '4',
      });
      expect(status).toBe(1);
      expect(stderr).toContain('NODE_ENV must be exactly one of production, development, test');
    },
  );

  it('names every missing production setting in one message', () => {
    const { status, stderr } = start({ NODE_ENV: 'production', PASSWORD_HASH_ROUNDS: '4' });
    expect(status).toBe(1);
    for (const problem of [
      'SECRET_KEY is required in production',
      'REFRESH_SECRET_KEY is required in production',
      'TWO_FACTOR_ENCRYPTION_KEY is required in production',
      'PASSWORD_HASH_ROUNDS must be at least 10 in production',
    ]) {
      expect(stderr).toContain(problem);
    }
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('refuses key material reused for two purposes', () => {
    const { status, stderr } = start({
      NODE_ENV: 'production',
      SECRET_KEY: strong('a'),
      REFRESH_SECRET_KEY: strong('b'),
      TWO_FACTOR_ENCRYPTION_KEY: strong('a'),
    });
    expect(status).toBe(1);
    expect(stderr).toContain('TWO_FACTOR_ENCRYPTION_KEY must differ from SECRET_KEY');
    expect(stderr).not.toContain(strong('a'));
  });

  it('names malformed .env lines with their line numbers, without echoing them', () => {
    const secret = strong('s');
    const dotenv = [
      '# settings',
      'NODE_ENV=production',
      `SECRET_KEY ${secret}`,
      'REFRESH_SECRET_KEY="unterminated',
      '',
    ].join('\n');
    const { status, stderr } = start({}, dotenv);
    expect(status).toBe(1);
    expect(stderr).toContain('.env line 3: expected NAME=value');
    expect(stderr).toContain('.env line 4: the " quote opened here is never closed');
    // The rest of the configuration is judged in the same message.
    expect(stderr).toContain('TWO_FACTOR_ENCRYPTION_KEY is required in production');
    expect(stderr).not.toContain(secret);
  });
});
