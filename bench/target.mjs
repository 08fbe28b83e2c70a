// One benchmark target in its own process: `node bench/target.mjs fastify|express|floor`.
// Started by bench/run.mjs with an IPC channel; it listens on 127.0.0.1 on a free port, reports
// { type: 'ready', port }, and then obeys 'usage' (reports its CPU time), 'profile-start',
// 'profile-stop' and 'stop' messages.
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Session } from 'node:inspector/promises';
import { performance } from 'node:perf_hooks';
import { createFloorServer } from './floor.mjs';

const HOST = '127.0.0.1';
const name = process.argv[2];

if (typeof process.send !== 'function') {
  console.error('bench/target.mjs is started by bench/run.mjs (it needs an IPC channel)');
  process.exit(2);
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
  if (name === 'fastify' || name === 'express') {
    // BENCH_APP_DIR: this checkout, or a build of an older commit (see BENCH_TARGETS in run.mjs).
    const appDir = process.env.BENCH_APP_DIR ?? new URL('..', import.meta.url).pathname;
    const { createApp } = await import(pathToFileURL(join(appDir, 'dist/src/app.factory.js')).href);
    const app = await createApp({ adapter: name, logger: false });
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
  throw new Error(`unknown target "${name}" (expected fastify, express or floor)`);
}

let profiler;

async function onMessage(message) {
  if (message?.type === 'usage') {
    const { user, system } = process.cpuUsage();
    process.send({
      type: 'usage',
      cpuMicros: user + system,
      elu: performance.eventLoopUtilization(),
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
