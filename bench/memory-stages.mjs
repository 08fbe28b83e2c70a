// Where the idle footprint goes: resident memory and V8 heap after each stage of a production start,
// in one process (`node --expose-gc bench/memory-stages.mjs`, DATABASE_URL and production settings in
// the environment, as bench/run.mjs passes them). Each figure is the growth over the stage before.
import 'reflect-metadata';
import { getHeapSpaceStatistics } from 'node:v8';

const stages = [];
function mark(name) {
  globalThis.gc?.();
  globalThis.gc?.();
  const m = process.memoryUsage();
  stages.push({
    name,
    rss: m.rss,
    heapUsed: m.heapUsed,
    heapTotal: m.heapTotal,
    external: m.external,
  });
}

mark('node itself');
await import('@nestjs/core');
await import('@nestjs/common');
mark('@nestjs/core + common');
await import('@nestjs/platform-fastify');
mark('@nestjs/platform-fastify (fastify)');
await import('typeorm');
await import('pg');
mark('typeorm + pg');
await import('@nestjs/swagger');
mark('@nestjs/swagger');
await import('class-validator');
await import('class-transformer');
mark('class-validator + class-transformer');
await import('prom-client');
await import('pino');
await import('pino-pretty');
mark('prom-client + pino + pino-pretty');
const { createApp } = await import('../dist/src/app.factory.js');
mark('the rest of the app code (all modules imported)');
const app = await createApp({ adapter: 'fastify', logger: false });
mark('createApp: providers, routes, OpenAPI document, pool');
await app.listen(0, '127.0.0.1');
mark('listening');
const mb = (b) => (b / 2 ** 20).toFixed(1);
console.log('| stage | RSS MB (+) | heap used MB (+) | heap total MB | external MB |');
console.log('|---|---:|---:|---:|---:|');
let previous;
for (const s of stages) {
  const d = (k) => (previous ? ` (+${mb(s[k] - previous[k])})` : '');
  console.log(
    `| ${s.name} | ${mb(s.rss)}${d('rss')} | ${mb(s.heapUsed)}${d('heapUsed')} | ${mb(s.heapTotal)} | ${mb(s.external)} |`,
  );
  previous = s;
}
for (const space of getHeapSpaceStatistics()) {
  console.log(
    `  ${space.space_name}: size ${mb(space.space_size)} MB, used ${mb(space.space_used_size)} MB`,
  );
}
await app.close();
process.exit(0);
