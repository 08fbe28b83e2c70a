import { writeSync } from 'node:fs';

export interface LineWriterOptions {
  /** File descriptor the lines go to (1: stdout). */
  fd: number;
  /** Bytes kept for a reader that is not reading; lines past it are dropped and counted. */
  maxBacklogBytes?: number;
  /** How long a line may wait for others to share its write. */
  flushDelayMs?: number;
}

/** A batch is written at once past this many characters, rather than when its delay ends. */
const MAX_BATCH_CHARS = 64 * 1024;
const DEFAULT_FLUSH_DELAY_MS = 10;
const DEFAULT_MAX_BACKLOG_BYTES = 16 * 1024 * 1024;
/** How soon a full pipe is tried again. */
const RETRY_MS = 20;
/** How long exit waits, in all, for a full pipe to take the last lines. */
const EXIT_WAIT_MS = 1000;

function errorCode(error: unknown): string | undefined {
  return (error as { code?: string }).code;
}

function countLines(bytes: Buffer): number {
  let lines = 0;
  for (let at = bytes.indexOf(10); at !== -1; at = bytes.indexOf(10, at + 1)) lines++;
  return lines;
}

/**
 * JSON log lines to a file descriptor: the lines that come within `flushDelayMs` (10 ms) of a batch's
 * first are joined and written with one synchronous write, or at once past MAX_BATCH_CHARS. Under load
 * that is one write for about a hundred requests' lines, on the serving thread: cheaper on this 2-core
 * VM than pino's asynchronous destination, whose thread-pool writes cost the serving thread more than
 * the write (docs/performance.md, round 9), and than a write per event-loop turn (round 21).
 *
 * A reader that falls behind never blocks the event loop, given a non-blocking `fd` (a pipe once Node's
 * `process.stdout` exists; a file never waits for a reader): what the pipe refuses (EAGAIN, or a
 * partial write) waits in order and is tried again every RETRY_MS, while new lines queue behind it
 * up to `maxBacklogBytes`; past that, lines are dropped and a warning line says how many once the
 * reader catches up. At exit the rest is written, waiting at most EXIT_WAIT_MS for a full pipe.
 * After EPIPE (the reader is gone) or any other write error nothing more is written or kept.
 */
export class BatchedLineWriter {
  private readonly fd: number;
  private readonly maxBacklogBytes: number;
  private readonly flushDelayMs: number;
  private pending = '';
  private flushTimer: NodeJS.Timeout | undefined;
  /** Bytes the descriptor has not taken yet, in order, from `backlog[head]` on. */
  private backlog: Buffer[] = [];
  private head = 0;
  private backlogBytes = 0;
  private dropped = 0;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(options: LineWriterOptions) {
    this.fd = options.fd;
    this.maxBacklogBytes = options.maxBacklogBytes ?? DEFAULT_MAX_BACKLOG_BYTES;
    this.flushDelayMs = options.flushDelayMs ?? DEFAULT_FLUSH_DELAY_MS;
  }

  write(line: string): boolean {
    if (this.closed) return true;
    this.pending += line;
    if (this.pending.length > MAX_BATCH_CHARS) this.flushBatch();
    else this.flushTimer ??= setTimeout(this.flushBatch, this.flushDelayMs);
    return true;
  }

  /** pino's `logger.flush(cb)`: the batch now (what a full pipe refused stays queued). */
  flush(callback?: (error?: Error) => void): void {
    this.flushBatch();
    callback?.();
  }

  /** Writes the batch's lines, or queues them behind what a slow reader has not taken yet. */
  private readonly flushBatch = (): void => {
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
    const text = this.pending;
    if (text === '' || this.closed) return;
    this.pending = '';
    if (this.backlogBytes > 0) {
      this.enqueue(Buffer.from(text));
      // Catch up as fast as the reader takes it, not only at each retry.
      this.drain();
      return;
    }
    let written: number;
    try {
      written = writeSync(this.fd, text);
    } catch (error) {
      if (errorCode(error) !== 'EAGAIN') return this.close();
      written = 0;
    }
    // The rest of a line already begun is always kept: dropping it would glue the next line to it.
    if (written < Buffer.byteLength(text)) this.enqueue(Buffer.from(text).subarray(written), true);
  };

  /** Everything still held, synchronously: for process exit. */
  flushBeforeExit(): void {
    this.flushBatch();
    const deadline = Date.now() + EXIT_WAIT_MS;
    while (this.backlogBytes > 0 && !this.closed && Date.now() < deadline) {
      if (!this.drain()) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, RETRY_MS / 4);
    }
  }

  private enqueue(bytes: Buffer, begun = false): void {
    if (!begun && this.backlogBytes + bytes.length > this.maxBacklogBytes) {
      this.dropped += countLines(bytes);
    } else {
      this.backlog.push(bytes);
      this.backlogBytes += bytes.length;
    }
    this.retry ??= setTimeout(this.retryDrain, RETRY_MS).unref();
  }

  private readonly retryDrain = (): void => {
    this.retry = undefined;
    if (this.closed) return;
    if (!this.drain()) {
      this.retry = setTimeout(this.retryDrain, RETRY_MS).unref();
    }
  };

  /** Writes what waits, in order; true once nothing waits (or nothing more can be written). */
  private drain(): boolean {
    for (;;) {
      while (this.head < this.backlog.length) {
        const next = this.backlog[this.head];
        let written: number;
        try {
          written = writeSync(this.fd, next);
        } catch (error) {
          if (errorCode(error) === 'EAGAIN') return false;
          this.close();
          return true;
        }
        this.backlogBytes -= written;
        if (written < next.length) {
          this.backlog[this.head] = next.subarray(written);
          return false;
        }
        this.head++;
      }
      // Everything written: start the array afresh (an index, not shift(), which copies long arrays).
      this.backlog = [];
      this.head = 0;
      if (this.dropped === 0) return true;
      // The reader caught up: say what it missed, in the log's own format.
      const warning = Buffer.from(
        `${JSON.stringify({
          level: 'warn',
          time: new Date().toISOString(),
          msg: `${this.dropped} log line(s) dropped: stdout was not being read`,
        })}\n`,
      );
      this.dropped = 0;
      this.backlog.push(warning);
      this.backlogBytes += warning.length;
    }
  }

  private close(): void {
    this.closed = true;
    this.pending = '';
    this.backlog = [];
    this.head = 0;
    this.backlogBytes = 0;
    if (this.retry) clearTimeout(this.retry);
    if (this.flushTimer) clearTimeout(this.flushTimer);
  }
}
