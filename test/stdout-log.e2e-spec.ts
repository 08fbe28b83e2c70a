import { execFile, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { REDACTED } from '../src/http/logging.js';

/** The production log destination (stdout, a write per event-loop turn) in a process of its own: the built module. */
const LOGGING = pathToFileURL(resolve('dist/src/http/logging.js')).href;

describe('the JSON log on stdout', () => {
  it('writes every line to stdout, multi-byte text whole, even when the process exits at once', async () => {
    const script = `
      const { createLogger } = await import(${JSON.stringify(LOGGING)});
      const logger = createLogger({ format: 'json', level: 'info' });
      for (let i = 0; i < 3000; i++) logger.info({ n: i, token: 't' }, 'línea ✓ ' + i);
      process.exit(0);`;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--input-type=module', '-e', script],
      { maxBuffer: 16 << 20 },
    );
    const lines = stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(3000);
    lines.forEach((line, i) =>
      expect(line).toMatchObject({ n: i, token: REDACTED, msg: `línea ✓ ${i}` }),
    );
  });

  it('writes a line when its turn ends, while the process goes on running', async () => {
    const script = `
      const { createLogger } = await import(${JSON.stringify(LOGGING)});
      const logger = createLogger({ format: 'json', level: 'info' });
      logger.info({ n: 1 }, 'first');
      setTimeout(() => logger.info({ n: 2 }, 'second'), 50);
      setTimeout(() => {}, 20000);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script]);
    try {
      let stdout = '';
      const started = Date.now();
      await new Promise<void>((done, fail) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          if (stdout.split('\n').length > 2) done();
        });
        child.once('exit', () => fail(new Error(`exited first; stdout: ${stdout}`)));
      });
      expect(Date.now() - started).toBeLessThan(10000);
      const lines = stdout
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as unknown);
      expect(lines).toEqual([
        expect.objectContaining({ n: 1, msg: 'first' }),
        expect.objectContaining({ n: 2, msg: 'second' }),
      ]);
    } finally {
      child.kill();
    }
  });

  it('stops buffering once stdout is gone (EPIPE), instead of holding every later line', async () => {
    const script = `
      const { createLogger } = await import(${JSON.stringify(LOGGING)});
      const logger = createLogger({ format: 'json', level: 'info' });
      let n = 0;
      const burst = () => {
        for (let i = 0; i < 2000; i++) logger.info({ n: n++ }, 'a line of about eighty bytes, sent long after the reader left');
        if (n < 300000) return setImmediate(burst);
        globalThis.gc();
        const { external, heapUsed } = process.memoryUsage();
        process.stderr.write(String(external + heapUsed));
        process.exit(0);
      };
      burst();`;
    const child = spawn(process.execPath, ['--expose-gc', '--input-type=module', '-e', script]);
    child.stdout.once('data', () => child.stdout.destroy());
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await new Promise((done) => child.once('exit', done));
    // 300,000 lines held would be about 30 MB, as buffers or as text; a stream that gave up holds none.
    expect(Number(stderr) / 2 ** 20).toBeLessThan(20);
  });
});
