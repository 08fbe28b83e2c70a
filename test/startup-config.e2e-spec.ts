import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTestDatabase, dropTestDatabase } from './database.js';

/**
 * What an operator sees when the configuration is wrong: `npm start` (the built main.js) exits 1 with
 * one message naming every problem, before any database starts. Run in a scratch directory holding
 * only a `.env`, with none of the test run's own settings. The rules themselves are unit-tested in
 * src/config/validate-config.spec.ts; this checks the whole path through a real process.
 */
const MAIN = resolve('dist/src/main.js');
const strong = (c: string) => c.repeat(40);
const dirs: string[] = [];

function start(
  env: Record<string, string>,
  dotenv?: string,
): Promise<{ status: number | null; stderr: string }> {
  const cwd = mkdtempSync(join(tmpdir(), 'gatehouse-config-'));
  dirs.push(cwd);
  if (dotenv !== undefined) writeFileSync(join(cwd, '.env'), dotenv);
  const child = spawn(process.execPath, [MAIN], {
    cwd,
    env: { PATH: process.env.PATH, GATEHOUSE_DATA_DIR: join(cwd, '.data'), PORT: '0', ...env },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((done) => child.once('exit', (status) => done({ status, stderr })));
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('start-up configuration checks', () => {
  it('refuses NODE_ENV=prod instead of running in development mode', async () => {
    const { status, stderr } = await start({
      NODE_ENV: 'prod',
      SECRET_KEY: strong('a'),
      REFRESH_SECRET_KEY: strong('b'),
      TWO_FACTOR_ENCRYPTION_KEY: strong('c'),
    });
    expect(status).toBe(1);
    expect(stderr).toContain('NODE_ENV must be exactly one of production, development, test');
  }, 120_000);

  it('names malformed .env lines by number and every missing production setting, in one message', async () => {
    const secret = strong('s');
    const dotenv = [
      '# settings',
      'NODE_ENV=production',
      `SECRET_KEY ${secret}`,
      `TWO_FACTOR_ENCRYPTION_KEY=${strong('t')}`,
      `METRICS_TOKEN=${strong('t')}`,
      'PASSWORD_HASH_ROUNDS=4',
      'REFRESH_SECRET_KEY="unterminated',
      '',
    ].join('\n');
    const { status, stderr } = await start({}, dotenv);
    expect(status).toBe(1);
    for (const problem of [
      '.env line 3: expected NAME=value',
      '.env line 7: the " quote opened here is never closed',
      'SECRET_KEY is required in production',
      'REFRESH_SECRET_KEY is required in production',
      'PASSWORD_HASH_ROUNDS must be at least 10 in production',
      'METRICS_TOKEN must differ from TWO_FACTOR_ENCRYPTION_KEY',
    ]) {
      expect(stderr).toContain(problem);
    }
    expect(stderr).not.toContain(secret);
    expect(stderr).not.toContain(strong('t'));
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
  }, 120_000);
});

describe('start-up with stored signing keys', () => {
  /** Starts main.js and answers once it listens (then stops it) or once it exits. */
  function run(env: Record<string, string>): Promise<{ status: number | null; stderr: string }> {
    const cwd = mkdtempSync(join(tmpdir(), 'gatehouse-keys-'));
    dirs.push(cwd);
    const child = spawn(process.execPath, [MAIN], {
      cwd,
      env: { PATH: process.env.PATH, GATEHOUSE_DATA_DIR: join(cwd, '.data'), PORT: '0', ...env },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Listening on')) child.kill('SIGTERM');
    });
    return new Promise((done) => child.once('exit', (status) => done({ status, stderr })));
  }

  it('refuses to start when SIGNING_KEY_ENCRYPTION_KEY does not open the stored keys', async () => {
    const database = await createTestDatabase();
    try {
      const env = { NODE_ENV: 'development', DATABASE_URL: database.url, ALGORITHM: 'ES256' };
      const first = await run({ ...env, SIGNING_KEY_ENCRYPTION_KEY: strong('k') });
      expect(first.stderr).not.toContain('does not open');
      const wrongKey = await run({ ...env, SIGNING_KEY_ENCRYPTION_KEY: strong('w') });
      expect(wrongKey.status).toBe(1);
      expect(wrongKey.stderr).toMatch(
        /SIGNING_KEY_ENCRYPTION_KEY does not open the stored signing key\(s\) [\w-]+/,
      );
      const rightKey = await run({ ...env, SIGNING_KEY_ENCRYPTION_KEY: strong('k') });
      expect(rightKey.stderr).not.toContain('does not open');
    } finally {
      await dropTestDatabase(database.name);
    }
  }, 120_000);
});
