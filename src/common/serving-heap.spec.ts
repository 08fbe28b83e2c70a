import { GCProfiler } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { collectStartupGarbageWhenIdle, garbageCollector } from './serving-heap.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('garbageCollector', () => {
  it('runs a full GC', () => {
    const gc = garbageCollector();
    expect(typeof gc).toBe('function');
    const profiler = new GCProfiler();
    profiler.start();
    gc?.();
    const { statistics } = profiler.stop();
    expect(statistics.some((entry) => entry.gcType === 'MarkSweepCompact')).toBe(true);
  });

  it('exposes gc() neither to the app nor to contexts made later', () => {
    garbageCollector();
    expect(typeof (globalThis as { gc?: unknown }).gc).toBe('undefined');
    expect(runInNewContext('typeof gc')).toBe('undefined');
  });
});

describe('collectStartupGarbageWhenIdle', () => {
  function collectorSpy() {
    const calls = { collect: 0 };
    const collector = () => () => {
      calls.collect++;
    };
    return { calls, collector };
  }

  it('collects once, after the delay, when nothing is in flight', async () => {
    const { calls, collector } = collectorSpy();
    collectStartupGarbageWhenIdle(() => true, 20, collector);
    expect(calls.collect).toBe(0);
    await sleep(60);
    expect(calls.collect).toBe(1);
  });

  it('leaves a busy process alone', async () => {
    const { calls, collector } = collectorSpy();
    let asked = 0;
    collectStartupGarbageWhenIdle(
      () => {
        asked++;
        return false;
      },
      1,
      collector,
    );
    await sleep(30);
    expect(asked).toBe(1);
    expect(calls.collect).toBe(0);
  });

  it('survives a collector that fails or is missing', async () => {
    const failures: unknown[] = [];
    const onError = (error: unknown) => failures.push(error);
    process.on('uncaughtException', onError);
    try {
      collectStartupGarbageWhenIdle(
        () => true,
        1,
        () => {
          throw new ReferenceError('gc is not defined');
        },
      );
      collectStartupGarbageWhenIdle(
        () => true,
        1,
        () => undefined,
      );
      await sleep(30);
    } finally {
      process.off('uncaughtException', onError);
    }
    expect(failures).toEqual([]);
  });
});
