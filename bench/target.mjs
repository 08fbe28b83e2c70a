// One benchmark target in its own process: `node bench/target.mjs fastify|express|floor|nest-floor`.
// Started by bench/run.mjs with an IPC channel; it listens on 127.0.0.1 on a free port, reports
// { type: 'ready', port }, and then obeys 'usage' (reports its CPU time and memory), 'profile-start',
// 'profile-stop' and 'stop' messages.
//
// The app runs with production defaults: NODE_ENV=production (set by run.mjs), so one JSON log line
// per request goes to stdout (run.mjs sends it to a file). BENCH_ABLATE (read here only, never by the
// app) names layers to switch off, to measure what each costs: see bench/ablate.mjs.
import 'reflect-metadata';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Session } from 'node:inspector/promises';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import { ablate, registerAblationStubs } from './ablate.mjs';
import { mainThreadCpuMicros } from './cpu.mjs';
import { createFloorServer } from './floor.mjs';
import { createNestFloorApp } from './nest-floor.mjs';

const HOST = '127.0.0.1';
const name = process.argv[2];

if (typeof process.send !== 'function') {
  console.error('bench/target.mjs is started by bench/run.mjs (it needs an IPC channel)');
  process.exit(2);
}

/** A Nest app listening on a free port, and how to close it. */
async function listening(app) {
  await app.listen(0, HOST);
  return {
    port: app.getHttpServer().address().port,
    close: async () => {
      // Express's server.close() would wait for idle keep-alive sockets; none should be left, but
      // a benchmark must not hang on one.
      app.getHttpServer().closeAllConnections?.();
      await app.close();
    },
  };
}

async function start() {
  if (name === 'floor') {
    const server = createFloorServer({
      secretKey: process.env.SECRET_KEY,
      issuer: process.env.TOKEN_ISSUER,
      audience: process.env.TOKEN_AUDIENCE,
    });
    server.keepAliveTimeout = 30_000;
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, HOST, resolve);
    });
    return {
      port: server.address().port,
      close: () =>
        new Promise((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  }
  if (name === 'nest-floor') {
    const app = await createNestFloorApp({
      secretKey: process.env.SECRET_KEY,
      issuer: process.env.TOKEN_ISSUER,
      audience: process.env.TOKEN_AUDIENCE,
    });
    return listening(app);
  }
  if (name === 'fastify' || name === 'express') {
    // BENCH_APP_DIR: this checkout, or a build of an older commit (see BENCH_TARGETS in run.mjs).
    const appDir = process.env.BENCH_APP_DIR ?? new URL('..', import.meta.url).pathname;
    const layers = (process.env.BENCH_ABLATE ?? '').split(',').filter(Boolean);
    if (layers.length) registerAblationStubs(appDir, layers);
    const { createApp } = await import(pathToFileURL(join(appDir, 'dist/src/app.factory.js')).href);
    // Production defaults: the JSON request log line on stdout, at info.
    const app = await createApp({ adapter: name });
    if (layers.length) await ablate(app, appDir, layers);
    const server = await listening(app);
    if (!process.env.BENCH_V8_DEFAULTS) await applyServingHeapSettings(appDir);
    await lowerThreadPoolPriority(appDir);
    return server;
  }
  throw new Error(`unknown target "${name}" (expected fastify, express, floor or nest-floor)`);
}

/**
 * What main.ts sets once the app listens (src/common/serving-heap.ts), where the checkout has it; an
 * older build carries its heap settings in start:prod's flags instead.
 */
async function applyServingHeapSettings(appDir) {
  const file = join(appDir, 'dist/src/common/serving-heap.js');
  if (existsSync(file)) (await import(pathToFileURL(file).href)).applyServingHeapSettings();
}

/**
 * What main.ts does with THREAD_POOL_NICENESS once the app listens (src/common/thread-pool-priority.ts),
 * where the checkout has it.
 */
async function lowerThreadPoolPriority(appDir) {
  const file = join(appDir, 'dist/src/common/thread-pool-priority.js');
  if (!existsSync(file)) return;
  const { parseHttpConfig } = await import(
    pathToFileURL(join(appDir, 'dist/src/config/http.config.js')).href
  );
  const { threadPoolNiceness } = parseHttpConfig(process.env);
  await (await import(pathToFileURL(file).href)).lowerThreadPoolPriority(threadPoolNiceness);
}

let profiler;
let profilerKind = 'cpu';

/**
 * Bytes the JavaScript heap has allocated since start-up, counted from the heap's used size around
 * each GC (v8.GCProfiler): what grew between one GC's end and the next one's start, plus the growth
 * since the last GC. Unlike req/s, bytes allocated a request do not move with the VM's speed.
 */
const allocation = {
  total: 0,
  usedAtLastCount: v8.getHeapStatistics().used_heap_size,
  profiler: new v8.GCProfiler(),
};
allocation.profiler.start();

function allocatedBytes() {
  const { statistics } = allocation.profiler.stop();
  let used = allocation.usedAtLastCount;
  for (const gc of statistics) {
    allocation.total += Math.max(0, gc.beforeGC.heapStatistics.usedHeapSize - used);
    used = gc.afterGC.heapStatistics.usedHeapSize;
  }
  const now = v8.getHeapStatistics().used_heap_size;
  allocation.total += Math.max(0, now - used);
  allocation.usedAtLastCount = now;
  allocation.profiler = new v8.GCProfiler();
  allocation.profiler.start();
  return allocation.total;
}

async function onMessage(message) {
  if (message?.type === 'usage') {
    const { user, system } = process.cpuUsage();
    const mainThread = mainThreadCpuMicros();
    const allocated = allocatedBytes();
    if (message.gc && globalThis.gc) globalThis.gc();
    process.send({
      type: 'usage',
      cpuMicros: user + system,
      mainThreadCpuMicros: mainThread,
      allocatedBytes: allocated,
      memory: process.memoryUsage(),
      elu: performance.eventLoopUtilization(),
    });
  } else if (message?.type === 'profile-start' && message.kind === 'heap') {
    // Allocation sampling (BENCH_PROFILE_KIND=heap): where the garbage the GC collects comes from.
    profiler = new Session();
    profiler.connect();
    await profiler.post('HeapProfiler.enable');
    await profiler.post('HeapProfiler.startSampling', {
      samplingInterval: 4096,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    profilerKind = 'heap';
    process.send({ type: 'profile-started' });
  } else if (message?.type === 'profile-stop' && profilerKind === 'heap') {
    const { profile } = await profiler.post('HeapProfiler.stopSampling');
    profiler.disconnect();
    writeFileSync(message.file.replace(/\.cpuprofile$/, '.heapprofile'), JSON.stringify(profile));
    process.send({
      type: 'profile-written',
      file: message.file.replace(/\.cpuprofile$/, '.heapprofile'),
    });
  } else if (message?.type === 'profile-start') {
    profiler = new Session();
    profiler.connect();
    await profiler.post('Profiler.enable');
    if (message.intervalMicros) {
      await profiler.post('Profiler.setSamplingInterval', { interval: message.intervalMicros });
    }
    await profiler.post('Profiler.start');
    process.send({ type: 'profile-started' });
  } else if (message?.type === 'profile-stop') {
    const { profile } = await profiler.post('Profiler.stop');
    profiler.disconnect();
    writeFileSync(message.file, JSON.stringify(profile));
    process.send({ type: 'profile-written', file: message.file });
  } else if (message?.type === 'stop') {
    await running.close();
    process.exit(0);
  }
}

let running;
try {
  running = await start();
  process.on('message', (message) => {
    onMessage(message).catch((error) => {
      console.error(`[${name}]`, error);
      process.exit(1);
    });
  });
  // The parent going away (crash, Ctrl-C) must not leave this server behind.
  process.on('disconnect', () => process.exit(0));
  process.send({ type: 'ready', port: running.port, pid: process.pid });
} catch (error) {
  console.error(`[${name}] failed to start:`, error);
  process.exit(1);
}
