import { execFile, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { REDACTED } from '../src/http/logging.js';

/** The production log destination (stdout, a write per 10 ms batch) in a process of its own: the built module. */
const LOGGING = pathToFileURL(resolve('dist/src/http/logging.js')).href;
const LINE_WRITER = pathToFileURL(resolve('dist/src/http/stdout-lines.js')).href;

/**
 * Runs a script whose stdout nobody reads until it reports on stderr (one JSON line), then reads
 * stdout until `complete(report, lines)` holds (at most 10 s) and ends the script. The stdout pipe
 * starts blocking, as a container's does.
 */
async function withStalledReader(
  script: string,
  complete: (report: Record<string, number>, lines: string[]) => boolean,
) {
  const child = spawn(process.execPath, [
    '--input-type=module',
    '-e',
    `${script}\nsetTimeout(() => {}, 60000);`,
  ]);
  try {
    child.stdout.pause();
    let stderr = '';
    const report = new Promise<Record<string, number>>((done) =>
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        // The report is the script's one JSON line (node may warn on stderr before it).
        const line = stderr.split('\n').find((text) => text.startsWith('{') && text.endsWith('}'));
        if (line) done(JSON.parse(line) as Record<string, number>);
      }),
    );
    const exited = new Promise((done) => child.once('exit', done));
    // A writer that blocks on the full pipe never reports: end it rather than hang the suite.
    const guard = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const reported = await Promise.race([
      report,
      exited.then(() => Promise.reject(new Error(`exited before reporting: ${stderr}`))),
    ]).finally(() => clearTimeout(guard));
    let stdout = '';
    await new Promise<void>((done) => {
      const deadline = setTimeout(done, 10_000);
      // Decoded across chunks: a chunk may end inside a multi-byte character.
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        stdout += chunk;
        if (stdout.endsWith('\n') && complete(reported, stdout.trimEnd().split('\n'))) {
          clearTimeout(deadline);
          done();
        }
      });
      // Explicitly paused, the stream does not flow again on a 'data' listener alone.
      child.stdout.resume();
    });
    const lines = stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    return { reported, lines };
  } finally {
    child.kill('SIGKILL');
  }
}

interface LoggedLine {
  n?: number;
  level?: string;
  msg?: string;
}

/** The numbered lines that arrived, and how many the writer's warnings say it dropped. */
function tally(lines: LoggedLine[]) {
  const kept: number[] = [];
  let dropped = 0;
  let warnings = 0;
  for (const line of lines) {
    const count =
      line.level === 'warn' ? /^(\d+) log line\(s\) dropped/.exec(line.msg ?? '') : null;
    if (count) {
      warnings++;
      dropped += Number(count[1]);
    } else {
      kept.push(line.n as number);
    }
  }
  return { kept, dropped, warnings };
}

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

  it('writes a line within its batch delay, while the process goes on running', async () => {
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

  it('keeps serving while the reader falls behind, and delivers every line in order after', async () => {
    const { reported, lines } = await withStalledReader(
      `
      const { createLogger } = await import(${JSON.stringify(LOGGING)});
      const logger = createLogger({ format: 'json', level: 'info' });
      let n = 0;
      let maxLagMs = 0;
      let last = performance.now();
      const probe = setInterval(() => {
        const now = performance.now();
        maxLagMs = Math.max(maxLagMs, now - last - 5);
        last = now;
      }, 5);
      const burst = setInterval(() => {
        for (let i = 0; i < 60; i++) logger.info({ n: n++ }, 'línea ✓ ' + n + ', about a hundred bytes, for a reader that stopped reading');
      }, 1);
      setTimeout(() => {
        clearInterval(burst);
        clearInterval(probe);
        process.stderr.write(JSON.stringify({ written: n, maxLagMs }) + '\\n');
      }, 1000);`,
      (report, lines) => lines.length >= report.written,
    );
    // Several times what the pipe holds, so the writer met a full pipe, and partial writes (a turn's
    // 6 KB is over the pipe's atomic 4 KB) that cut multi-byte characters. A blocking write would not get here at all; sonic-boom's synchronous
    // mode sleeps 100 ms at a time.
    expect(reported.written * 100).toBeGreaterThan(256 * 1024);
    expect(reported.maxLagMs).toBeLessThan(90);
    expect(lines).toHaveLength(reported.written);
    lines.forEach((line, i) =>
      expect(line).toMatchObject({
        n: i,
        msg: `línea ✓ ${i + 1}, about a hundred bytes, for a reader that stopped reading`,
      }),
    );
  });

  it('drops what a stalled reader cannot take past its bound, and says so once it reads again', async () => {
    const { reported, lines } = await withStalledReader(
      `
      process.stdout; // the writer alone: make the pipe non-blocking as logging.ts does
      const { BatchedLineWriter } = await import(${JSON.stringify(LINE_WRITER)});
      const writer = new BatchedLineWriter({ fd: 1, maxBacklogBytes: 200000 });
      let n = 0;
      const burst = () => {
        for (let i = 0; i < 1000; i++) writer.write(JSON.stringify({ n: n++, msg: 'x'.repeat(60) }) + '\\n');
        if (n < 40000) return setImmediate(burst);
        process.stderr.write(JSON.stringify({ written: n }) + '\\n');
      };
      burst();`,
      (report, lines) => {
        const { kept, dropped } = tally(lines.map((line) => JSON.parse(line) as LoggedLine));
        return kept.length + dropped >= report.written;
      },
    );
    const { kept, dropped, warnings } = tally(lines as LoggedLine[]);
    expect(warnings).toBeGreaterThan(0);
    expect(dropped).toBeGreaterThan(0);
    expect(kept.length + dropped).toBe(reported.written);
    // A reader sees gaps where lines were dropped, never a line out of order or twice.
    expect(kept[0]).toBe(0);
    kept.slice(1).forEach((n, i) => expect(n).toBeGreaterThan(kept[i]));
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
    // The process alone holds about 6 MB here. A writer that kept the lines for a reader that left
    // would hold its 16 MB bound on top (the old thread-pool writer: all 30 MB); one that gave up, none.
    expect(Number(stderr) / 2 ** 20).toBeLessThan(12);
  });
});
