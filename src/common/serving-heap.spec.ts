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

  /** Stands in for InFlightRequests: what is in flight, and how many requests have begun. */
  const activity = (size = 0, started = 0) => ({ size, started });

  it('collects once, after the delay, when nothing is in flight and nothing began', async () => {
    const { calls, collector } = collectorSpy();
    collectStartupGarbageWhenIdle(activity(), 20, collector, 10);
    await sleep(5);
    expect(calls.collect).toBe(0);
    await sleep(60);
    expect(calls.collect).toBe(1);
  });

  it('leaves a process alone that began a request within the quiet window, though none is in flight', async () => {
    const { calls, collector } = collectorSpy();
    const server = activity(0, 7);
    collectStartupGarbageWhenIdle(server, 30, collector, 20);
    // Inside the window: one request begins and ends, as under load between two timer callbacks.
    setTimeout(() => server.started++, 20);
    await sleep(80);
    expect(server.started).toBe(8);
    expect(calls.collect).toBe(0);
  });

  it('leaves a process alone with a request in flight', async () => {
    const { calls, collector } = collectorSpy();
    collectStartupGarbageWhenIdle(activity(1, 1), 20, collector, 10);
    await sleep(60);
    expect(calls.collect).toBe(0);
  });

  it('counts requests begun before the window as no obstacle', async () => {
    const { calls, collector } = collectorSpy();
    const server = activity(0, 3);
    setTimeout(() => server.started++, 1);
    collectStartupGarbageWhenIdle(server, 60, collector, 20);
    await sleep(100);
    expect(calls.collect).toBe(1);
  });

  it('survives a collector that fails or is missing', async () => {
    const failures: unknown[] = [];
    const onError = (error: unknown) => failures.push(error);
    process.on('uncaughtException', onError);
    try {
      collectStartupGarbageWhenIdle(activity(), 2, () => {
        throw new ReferenceError('gc is not defined');
      });
      collectStartupGarbageWhenIdle(activity(), 2, () => undefined);
      await sleep(30);
    } finally {
      process.off('uncaughtException', onError);
    }
    expect(failures).toEqual([]);
  });
});
