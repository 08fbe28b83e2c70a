import { GCProfiler } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { collectStartupGarbageWhenIdle } from './serving-heap.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The full GCs (mark-sweep-compact) that ran while `during` did. */
async function fullCollectionsDuring(during: () => Promise<void>): Promise<number> {
  const profiler = new GCProfiler();
  profiler.start();
  await during();
  const { statistics } = profiler.stop();
  return statistics.filter((gc) => gc.gcType === 'MarkSweepCompact').length;
}

describe('collectStartupGarbageWhenIdle', () => {
  it('runs one full GC after the delay when nothing is in flight', async () => {
    const full = await fullCollectionsDuring(async () => {
      collectStartupGarbageWhenIdle(() => true, 1);
      await sleep(50);
    });
    expect(full).toBeGreaterThanOrEqual(1);
  });

  it('leaves a busy process alone', async () => {
    let asked = 0;
    const full = await fullCollectionsDuring(async () => {
      collectStartupGarbageWhenIdle(() => {
        asked++;
        return false;
      }, 1);
      await sleep(50);
    });
    expect(asked).toBe(1);
    expect(full).toBe(0);
  });

  it('exposes gc() neither to the app nor to contexts made later', async () => {
    collectStartupGarbageWhenIdle(() => true, 1);
    await sleep(50);
    expect(typeof (globalThis as { gc?: unknown }).gc).toBe('undefined');
    expect(runInNewContext('typeof gc')).toBe('undefined');
  });
});
