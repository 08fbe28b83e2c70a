import { readlink } from 'node:fs/promises';
import { getPriority, setPriority } from 'node:os';

/** libuv's pool size when UV_THREADPOOL_SIZE is unset. */
const LIBUV_DEFAULT_POOL_SIZE = 4;
const LIBUV_MAX_POOL_SIZE = 1024;
/**
 * Each round asks every pool thread at once; a thread that is quick to wake can answer several, and
 * one busy with a long job answers none until it is done. Rounds go on until every thread has
 * answered, pausing after a round that found none new, for at most this long.
 */
const PATIENCE_MS = 2_000;
const PAUSE_MS = 10;
/** The lowest priority Linux has. */
const MAX_NICENESS = 19;

/** How libuv reads UV_THREADPOOL_SIZE: C's atoi, 0 taken as 1, clamped to 1024 as an unsigned int. */
export function threadPoolSize(env: NodeJS.ProcessEnv = process.env): number {
  if (env.UV_THREADPOOL_SIZE === undefined) return LIBUV_DEFAULT_POOL_SIZE;
  const size = Number.parseInt(env.UV_THREADPOOL_SIZE, 10) || 0;
  if (size === 0) return 1;
  return size < 0 || size > LIBUV_MAX_POOL_SIZE ? LIBUV_MAX_POOL_SIZE : size;
}

/**
 * The thread ids of libuv's thread pool, on Linux; empty elsewhere. An asynchronous `readlink` runs on
 * a pool thread, and `/proc/thread-self` names the thread that reads it: `<pid>/task/<tid>`. Node 20
 * gives these threads no name to find them by (Node 24's libuv calls them `libuv-worker`).
 */
export async function threadPoolThreadIds(env: NodeJS.ProcessEnv = process.env): Promise<number[]> {
  const expected = threadPoolSize(env);
  const seen = new Set<number>();
  const deadline = Date.now() + PATIENCE_MS;
  try {
    while (seen.size < expected && Date.now() < deadline) {
      const known = seen.size;
      const links = await Promise.all(
        Array.from({ length: expected * 4 }, () => readlink('/proc/thread-self')),
      );
      for (const link of links) seen.add(Number(link.split('/').pop()));
      if (seen.size === known) await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
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
