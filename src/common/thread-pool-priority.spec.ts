import { readdirSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import {
  lowerThreadPoolPriority,
  threadPoolSize,
  threadPoolThreadIds,
} from './thread-pool-priority.js';

const poolSize = threadPoolSize();
const ownThreads = () => readdirSync('/proc/self/task').map(Number);

describe('threadPoolThreadIds', () => {
  it("finds each of libuv's pool threads: threads of this process, not the main one", async () => {
    const threads = await threadPoolThreadIds();
    expect(new Set(threads).size).toBe(poolSize);
    expect(threads).not.toContain(process.pid);
    for (const tid of threads) expect(ownThreads()).toContain(tid);
  });

  it('finds the same threads every time', async () => {
    const first = await threadPoolThreadIds();
    expect((await threadPoolThreadIds()).sort()).toEqual(first.sort());
  });
});

describe('lowerThreadPoolPriority', () => {
  let before: Map<number, number>;

  beforeAll(async () => {
    before = new Map((await threadPoolThreadIds()).map((tid) => [tid, getPriority(tid)]));
  });

  afterAll(() => {
    // Taking niceness back down needs CAP_SYS_NICE; without it, this Jest worker's pool stays one step
    // lower, which only the scheduler notices.
    for (const [tid, priority] of before) {
      try {
        setPriority(tid, priority);
      } catch {
        // left as it is
      }
    }
  });

  it('with 0 changes nothing', async () => {
    expect(await lowerThreadPoolPriority(0)).toEqual([]);
    for (const [tid, priority] of before) expect(getPriority(tid)).toBe(priority);
  });

  it('puts every pool thread the given steps below the main thread, which keeps its own', async () => {
    const main = getPriority();
    const threads = await lowerThreadPoolPriority(1);
    expect(threads.sort()).toEqual([...before.keys()].sort());
    for (const tid of threads) expect(getPriority(tid)).toBe(main + 1);
    expect(getPriority()).toBe(main);
    expect(getPriority(process.pid)).toBe(main);
  });

  it('never raises the priority of a thread that is already lower', async () => {
    const [tid] = before.keys();
    setPriority(tid, getPriority() + 5);
    await lowerThreadPoolPriority(1);
    expect(getPriority(tid)).toBe(getPriority() + 5);
  });
});
