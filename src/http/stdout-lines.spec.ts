import { jest } from '@jest/globals';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchedLineWriter } from './stdout-lines.js';

describe('BatchedLineWriter', () => {
  let dir: string;
  let path: string;
  let fd: number;

  beforeEach(() => {
    jest.useFakeTimers();
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-lines-'));
    path = join(dir, 'out.log');
    fd = openSync(path, 'w');
  });

  afterEach(() => {
    jest.useRealTimers();
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  });

  const written = () => readFileSync(path, 'utf8');

  it('holds the lines of one delay and writes them together, in order', () => {
    const writer = new BatchedLineWriter({ fd, flushDelayMs: 10 });
    writer.write('one\n');
    jest.advanceTimersByTime(6);
    writer.write('two\n');
    expect(written()).toBe('');

    // The delay counts from the batch's first line, not its last.
    jest.advanceTimersByTime(4);
    expect(written()).toBe('one\ntwo\n');

    writer.write('three\n');
    jest.advanceTimersByTime(9);
    expect(written()).toBe('one\ntwo\n');
    jest.advanceTimersByTime(1);
    expect(written()).toBe('one\ntwo\nthree\n');
  });

  it('writes a batch at once when it grows past 64 KB, without waiting for the delay', () => {
    const writer = new BatchedLineWriter({ fd, flushDelayMs: 10 });
    const line = `${'x'.repeat(1023)}\n`;
    for (let i = 0; i < 64; i++) writer.write(line);
    expect(written()).toBe('');
    writer.write(line);
    expect(written()).toBe(line.repeat(65));

    // The next line starts a batch of its own, with a delay of its own.
    writer.write('after\n');
    jest.advanceTimersByTime(9);
    expect(written()).toBe(line.repeat(65));
    jest.advanceTimersByTime(1);
    expect(written()).toBe(`${line.repeat(65)}after\n`);
  });

  it('writes what it holds on flush and before exit', () => {
    const writer = new BatchedLineWriter({ fd, flushDelayMs: 10 });
    writer.write('flushed\n');
    const done = jest.fn();
    writer.flush(done);
    expect(written()).toBe('flushed\n');
    expect(done).toHaveBeenCalledTimes(1);

    writer.write('at exit\n');
    writer.flushBeforeExit();
    expect(written()).toBe('flushed\nat exit\n');
    expect(jest.getTimerCount()).toBe(0);
  });
});
