import { readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { threadPoolSize } from '../src/common/thread-pool-priority.js';
import { createTestDatabase, dropTestDatabase } from './database.js';
import { type Instance, startInstance } from './instance.js';

/** Niceness of each thread of a process, from /proc/<pid>/task/<tid>/stat (field 19). */
function nicenessByThread(pid: number): Map<number, number> {
  return new Map(
    readdirSync(`/proc/${pid}/task`).map((tid) => {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      // After the command name in parentheses: field 3 (state) onwards, so niceness (19) is the 17th.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return [Number(tid), Number(fields[16])];
    }),
  );
}

/** The child inherits this process's environment, so its pool is this size too. */
const poolSize = threadPoolSize();
/** A child starts at its parent thread's niceness: 0, unless the tests themselves run under `nice`. */
const base = getPriority();

describe("the service's thread pool (THREAD_POOL_NICENESS)", () => {
  let database: { name: string; url: string };
  const instances: Instance[] = [];
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.stop()));
    await dropTestDatabase(database.name);
  });

  it("runs libuv's pool 10 steps below the main thread by default, and serves", async () => {
    const instance = await startInstance(database.url);
    instances.push(instance);
    const lowered = Math.min(19, base + 10);
    // main.ts lowers the pool without holding up start-up: it may finish just after /health answers,
    // and on a busy machine this test can read the threads between two of its setPriority calls.
    const loweredCount = (byThread: Map<number, number>) =>
      [...byThread.values()].filter((n) => n === lowered).length;
    let niceness = nicenessByThread(instance.pid);
    for (let tries = 0; tries < 50 && loweredCount(niceness) < poolSize; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      niceness = nicenessByThread(instance.pid);
    }
    expect(niceness.get(instance.pid)).toBe(base);
    expect(loweredCount(niceness)).toBe(poolSize);
    expect([...niceness.values()].filter((n) => n !== base && n !== lowered)).toEqual([]);
    expect((await instance.api.get('/health')).status).toBe(200);
  }, 120_000);

  it('leaves every thread level with THREAD_POOL_NICENESS=0', async () => {
    const instance = await startInstance(database.url, { THREAD_POOL_NICENESS: '0' });
    instances.push(instance);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect([...nicenessByThread(instance.pid).values()].every((n) => n === base)).toBe(true);
  }, 120_000);
});
