import { readlink } from 'node:fs/promises';
import { getPriority, setPriority } from 'node:os';

/** libuv's own default when UV_THREADPOOL_SIZE is unset or not a number it takes. */
const LIBUV_DEFAULT_POOL_SIZE = 4;
/** Each round asks every pool thread at once; a thread that is quick to wake can answer several. */
const ROUNDS = 32;
/** The lowest priority Linux has. */
const MAX_NICENESS = 19;

function expectedPoolSize(env: NodeJS.ProcessEnv): number {
  const size = Number.parseInt(env.UV_THREADPOOL_SIZE ?? '', 10);
  return Number.isInteger(size) && size > 0 ? Math.min(size, 1024) : LIBUV_DEFAULT_POOL_SIZE;
}

/**
 * The thread ids of libuv's thread pool, on Linux; empty elsewhere. An asynchronous `readlink` runs on
 * a pool thread, and `/proc/thread-self` names the thread that reads it: `<pid>/task/<tid>`. Node 20
 * gives these threads no name to find them by (Node 24's libuv calls them `libuv-worker`).
 */
export async function threadPoolThreadIds(env: NodeJS.ProcessEnv = process.env): Promise<number[]> {
  const expected = expectedPoolSize(env);
  const seen = new Set<number>();
  try {
    for (let round = 0; round < ROUNDS && seen.size < expected; round++) {
      const links = await Promise.all(
        Array.from({ length: expected * 4 }, () => readlink('/proc/thread-self')),
      );
      for (const link of links) seen.add(Number(link.split('/').pop()));
    }
  } catch {
    return [];
  }
  seen.delete(process.pid);
  return [...seen].filter((tid) => Number.isInteger(tid) && tid > 0);
}

/**
 * Lowers the priority of libuv's thread pool below the main thread's. A password login hashes with
 * bcrypt on that pool for about 230 ms of CPU; with logins in flight, the pool's four threads kept this
 * machine's two cores busy and the main thread queued behind them, so a GET's p99 doubled during a login
 * storm. At niceness 10 the scheduler gives the main thread the CPU it asks for, and the pool keeps the
 * rest: logins/s stayed where they were. docs/performance.md, "The thread pool yields to requests".
 *
 * `niceness` is added to the main thread's own (0 unless started with `nice`), up to 19, the lowest
 * priority. Raising niceness needs no privilege. Returns the threads it set; none where there is no
 * `/proc/thread-self` (not Linux) or where `niceness` is 0.
 */
export async function lowerThreadPoolPriority(
  niceness: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number[]> {
  if (niceness <= 0) return [];
  const target = Math.min(MAX_NICENESS, getPriority() + niceness);
  const threads = await threadPoolThreadIds(env);
  for (const tid of threads) {
    if (getPriority(tid) < target) setPriority(tid, target);
  }
  return threads;
}
