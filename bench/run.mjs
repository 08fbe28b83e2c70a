// `npm run bench`: throughput of an authenticated GET /users/me on both HTTP adapters, against a bare
// node:http floor, in one run, on loopback only. See docs/performance.md.
//
// Settings (environment):
//   BENCH_DURATION     measured seconds per target (default 5)
//   BENCH_WARMUP       warm-up seconds per target, not counted (default 2)
//   BENCH_CONNECTIONS  concurrent keep-alive connections (default 32)
//   BENCH_TARGETS      comma-separated, in order (default floor,nest-floor,fastify,fastify-apikey,
//                      express; fastify-apikey: the same GET with an X-API-Key; nest-floor: a bare
//                      NestJS + fastify route doing the floor's HS256 check). An app target may
//                      name a commit, `fastify@<git-ref>`: that commit is built in a temporary
//                      directory (git archive + tsc, this checkout's node_modules) and measured in
//                      the same run, for before/after figures. Each app target has its own database.
//   BENCH_ROUNDS       repeat all targets, order reversed every other round; medians (default 1)
//   BENCH_SLICES       interleaved mode, for a machine whose speed drifts (default unset: each target
//                      is started, warmed up, measured and stopped in turn). With N, all targets of a
//                      round run at once (started and checked one by one, then each warmed up); N
//                      cycles follow, each measuring every target for BENCH_DURATION/N s (rounded to
//                      whole seconds, at least 1), in another order every cycle (rotated, every other
//                      cycle reversed). The tables add up each target's slices; a further table gives,
//                      per target, the median and min-max over cycles of its req/s over floor's,
//                      nest-floor's and fastify's in the same cycle. A profiled target (BENCH_PROFILE)
//                      is profiled from its first slice to its last: the sampler also runs while the
//                      other targets are measured (idle samples, left out of the summary's shares).
//   BENCH_ABLATION     layers to switch off one at a time for the ablation table, as targets
//                      fastify~<layer> (default all; none to skip; see bench/ablate.mjs)
//   BENCH_LOGINS       0 skips the login storm (logins/s vs the bcrypt limit, GET p99 during it)
//   BENCH_FOOTPRINT    0 skips the footprint (main.js start to healthy, RSS idle and after load)
//   BENCH_SOAK         seconds of further load for the RSS curve (default 60; 300 for 5 minutes)
//   BENCH_PROFILE      comma-separated targets to CPU-profile during the measured phase (default none;
//                      fastify-logins: the login storm's phase alone)
//   BENCH_PROFILE_KIND cpu (default) or heap: an allocation-sampling profile (.heapprofile) instead
//   BENCH_PROFILE_DIR  where profile files go (default bench/profiles, git-ignored)
//   BENCH_THREAD_POOL_NICENESS  THREAD_POOL_NICENESS for every app target (default: unset, the app's
//                      default, 10); 0 measures the thread pool level with the main thread, as before
//                      round 16 (docs/performance.md, round 16)
//   BENCH_NODE         the node every server runs on (default: the production image's, the
//                      Dockerfile's NODE_VERSION, fetched once into bench/.node/ when the running node
//                      is another major; `current`: the node running the bench; or a binary's path).
//                      See bench/runtime.mjs.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  existsSync,
  openSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { descendantsCpuMicros, machineCpuMicros, ownCpuMicros } from './cpu.mjs';
import { checkLayers, LAYERS } from './ablate.mjs';
import { formatFootprint, measureFootprint } from './footprint.mjs';
import { appToken, expectStatus, HOST, http } from './http.mjs';
import { accessClaims, signHs256 } from './jwt.mjs';
import { formatSummary, summarise } from './profile-summary.mjs';
import { serverNode } from './runtime.mjs';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH_DIR, '..');
const TARGET_SCRIPT = join(BENCH_DIR, 'target.mjs');
const KNOWN_TARGETS = [
  'floor',
  'nest-floor',
  'fastify',
  'express',
  'fastify-apikey',
  'fastify-2x',
  'fastify-es256',
  'fastify-eddsa',
  'fastify-v8default',
];
/** Access tokens signed with a key pair (the issuer's ALGORITHM), where this checkout has them. */
const KEY_PAIR_TARGETS = { 'fastify-es256': 'ES256', 'fastify-eddsa': 'EdDSA' };
const supportsKeyPairs = () => {
  try {
    return readFileSync(join(ROOT, 'dist/src/config/auth.config.js'), 'utf8').includes('EdDSA');
  } catch {
    return false;
  }
};
const DEFAULT_TARGETS = [
  'floor',
  'nest-floor',
  'fastify',
  'fastify-apikey',
  ...(supportsKeyPairs() ? Object.keys(KEY_PAIR_TARGETS) : []),
  'fastify-2x',
  'fastify-v8default',
  'express',
];
/** Targets that run the app; `-apikey` sends an X-API-Key instead of a bearer token. */
const APP_KINDS = {
  fastify: 'fastify',
  express: 'express',
  'fastify-apikey': 'fastify',
  'fastify-logins': 'fastify',
  'fastify-2x': 'fastify',
  'fastify-es256': 'fastify',
  'fastify-eddsa': 'fastify',
  'fastify-v8default': 'fastify',
};
/** Logins: the production bcrypt cost, and in-flight password logins during the storm. */
const LOGIN_COST = 12;
const LOGIN_CONNECTIONS = 8;
/**
 * Seconds of logins before the measured storm. At 8 logins a second the login path's code (TypeORM,
 * pg, the token service) is still being optimised for the first 20-30 s: main-thread CPU a login fell
 * from 11.5 to 8.8 to 7.1 ms over three 10 s windows of a fresh process. The first window is also
 * reported, as "right after start-up".
 */
const LOGIN_WARMUP_SECONDS = 25;
/** The GET that runs beside the storm: a steady rate, measured alone first. */
const STORM_GET_RATE = 200;
const STORM_GET_CONNECTIONS = 4;
/** Alone-then-storm pairs the GET's p99 is pooled over. */
const STORM_PAIRS = 3;
/** Up to 8 logins in flight at 230 ms of bcrypt each, on a pool of 4: about half a second of work. */
const STORM_DRAIN_MS = 2_000;
/** Targets that are not the app (no database, a token signed by the bench). */
const BARE = new Set(['floor', 'nest-floor']);
/**
 * `fastify~log`: the fastify target with one layer switched off (bench/ablate.mjs); `fastify~log+metrics`
 * with several, to see what is left when they are all gone.
 */
const ablationOf = (target) => target.split('~')[1]?.split('+');
const ISSUER = 'gatehouse';
const AUDIENCE = 'gatehouse-api';
const PATH = '/users/me';
/** "Other" CPU (processes not in the benchmark) above this share of a core makes a run suspect. */
const NOISE_PERCENT = 25;

function positiveInt(name, fallback) {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name} must be a positive whole number, got "${raw}"`);
  }
  return value;
}

function nonNegativeInt(name, fallback) {
  const raw = process.env[name]?.trim();
  return raw === '0' ? 0 : positiveInt(name, fallback);
}

function targetList(name, fallback, alsoKnown = []) {
  const raw = process.env[name]?.trim();
  const list = (raw === undefined ? fallback : raw)
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  for (const target of list) {
    if (target.startsWith('fastify~')) {
      checkLayers(ablationOf(target));
      continue;
    }
    if (alsoKnown.includes(target)) continue;
    if (!KNOWN_TARGETS.includes(target.split('@')[0]) || /^(nest-)?floor@/.test(target)) {
      throw new Error(`${name}: unknown target "${target}" (known: ${KNOWN_TARGETS.join(', ')})`);
    }
  }
  return list;
}

/** BENCH_ABLATION: `all` (default), `none`, or a comma-separated list of layers. */
function ablationList() {
  const raw = process.env.BENCH_ABLATION?.trim() || 'all';
  if (raw === 'none') return [];
  const layers = raw === 'all' ? Object.keys(LAYERS) : raw.split(',').map((l) => l.trim());
  checkLayers(layers);
  return layers;
}

const settings = {
  duration: positiveInt('BENCH_DURATION', 5),
  warmup: nonNegativeInt('BENCH_WARMUP', 2),
  connections: positiveInt('BENCH_CONNECTIONS', 32),
  rounds: positiveInt('BENCH_ROUNDS', 1),
  slices: positiveInt('BENCH_SLICES', undefined),
  targets: targetList('BENCH_TARGETS', DEFAULT_TARGETS.join(',')),
  ablation: ablationList(),
  footprint: process.env.BENCH_FOOTPRINT?.trim() !== '0',
  soak: nonNegativeInt('BENCH_SOAK', 60),
  logins: process.env.BENCH_LOGINS?.trim() !== '0',
  profile: targetList('BENCH_PROFILE', '', ['fastify-logins']),
  profileKind: process.env.BENCH_PROFILE_KIND?.trim() === 'heap' ? 'heap' : 'cpu',
  profileDir: resolve(process.env.BENCH_PROFILE_DIR?.trim() || join(BENCH_DIR, 'profiles')),
};

const log = (message) => process.stderr.write(`[bench] ${message}\n`);
/** The servers' node (BENCH_NODE; bench/runtime.mjs) and its version, for the report. */
const TARGET_NODE = serverNode(ROOT, process.env.BENCH_NODE?.trim(), log);
const TARGET_NODE_VERSION = execFileSync(TARGET_NODE, ['--version'], { encoding: 'utf8' }).trim();
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

// ---------------------------------------------------------------------------------------------
// Clean-up: children, database and temporary directory, on success, failure and Ctrl-C alike.

const children = new Set();
let database;
let tempRoot;
let cleaning;

function cleanup() {
  cleaning ??= (async () => {
    for (const child of children) child.kill('SIGKILL');
    if (database) {
      try {
        await database.stop();
      } catch (error) {
        log(`stopping the database failed: ${error?.message ?? error}`);
      }
    }
    if (tempRoot) rmSync(tempRoot, { recursive: true, force: true });
  })();
  return cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    log(`${signal}: cleaning up`);
    cleanup().finally(() => process.exit(130));
  });
}

function floorToken(secretKey) {
  const subject = randomBytes(16).toString('hex');
  const token = signHs256(
    accessClaims({ subject, issuer: ISSUER, audience: AUDIENCE }),
    Buffer.from(secretKey),
  );
  return { headers: { authorization: `Bearer ${token}` }, check: (json) => json?.id === subject };
}

// ---------------------------------------------------------------------------------------------
// Targets, each in its own process.

/** Application directories by git ref: '' is this checkout, anything else a build of that commit. */
const appDirs = new Map([['', ROOT]]);
const databaseUrls = new Map();

function buildRef(ref) {
  const commit = execFileSync('git', ['rev-parse', '--verify', `${ref}^{commit}`], {
    cwd: ROOT,
    encoding: 'utf8',
  }).trim();
  const dir = join(tempRoot, `ref-${commit.slice(0, 12)}`);
  log(`building ${ref} (${commit.slice(0, 12)}) in ${dir}`);
  mkdirSync(dir, { recursive: true });
  execFileSync('sh', ['-c', `git archive ${commit} | tar -x -C "${dir}"`], { cwd: ROOT });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    { cwd: dir, stdio: 'inherit' },
  );
  return dir;
}

/** A database of its own per app target, so an older commit never meets a newer schema. */
async function createTargetDatabase(name) {
  const databaseName = `bench_${name.replace(/[^a-z0-9]/gi, '_').toLowerCase()}`;
  const url = new URL(database.url);
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${databaseName}"`);
  } finally {
    await client.end();
  }
  url.pathname = `/${databaseName}`;
  return url.toString();
}

/**
 * The node flags production starts with: the `start:prod` script of that checkout's package.json
 * (the Dockerfile's CMD carries the same). BENCH_NODE_FLAGS replaces them, for experiments.
 */
export function productionNodeFlags(dir) {
  const override = process.env.BENCH_NODE_FLAGS;
  if (override !== undefined) return override.split(/\s+/).filter(Boolean);
  const scripts = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).scripts ?? {};
  const words = (scripts['start:prod'] ?? '').split(/\s+/);
  const node = words.indexOf('node');
  const main = words.indexOf('dist/src/main.js');
  return node >= 0 && main > node ? words.slice(node + 1, main) : [];
}

/** Where a target's stdout (its JSON log) goes; removed with the temporary directory. */
const logFileOf = (name) => join(tempRoot, `${name.replace(/[^a-z0-9]+/gi, '_')}.log`);

/** A target's log lines about server errors (level error or fatal, or a 5xx answered), at most `max`. */
function serverErrorLines(name, max = 5) {
  if (!existsSync(logFileOf(name))) return [];
  return readFileSync(logFileOf(name), 'utf8')
    .split('\n')
    .filter((line) => /"level":"(error|fatal)"|"status":5\d\d/.test(line))
    .slice(0, max);
}

function startTarget(name, env) {
  const [base, ref = ''] = name.split('@');
  const [kind, layer] = base.split('~');
  // fastify-v8default: the production app on node's default heap settings (no start:prod flags, no
  // serving heap settings), to show what they cost in CPU beside what they save in memory.
  const flags =
    BARE.has(kind) || kind === 'fastify-v8default' ? [] : productionNodeFlags(appDirs.get(ref));
  // The app's stdout (one JSON line per request) goes to a file, as it would to a log collector.
  const logFile = openSync(logFileOf(name), 'a');
  const child = spawn(TARGET_NODE, [...flags, TARGET_SCRIPT, APP_KINDS[kind] ?? kind], {
    cwd: appDirs.get(ref),
    env: BARE.has(kind)
      ? env
      : {
          ...env,
          BENCH_APP_DIR: appDirs.get(ref),
          DATABASE_URL: databaseUrls.get(name),
          ...(layer ? { BENCH_ABLATE: layer.replaceAll('+', ',') } : {}),
          ...(KEY_PAIR_TARGETS[kind] ? { ALGORITHM: KEY_PAIR_TARGETS[kind] } : {}),
          ...(kind === 'fastify-v8default' ? { BENCH_V8_DEFAULTS: '1' } : {}),
        },
    stdio: ['ignore', logFile, 'inherit', 'ipc'],
  });
  closeSync(logFile);
  children.add(child);
  const exited = new Promise((done) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      done({ code, signal });
    }),
  );

  function waitFor(type, timeoutMs) {
    return new Promise((resolveWait, reject) => {
      const timer = setTimeout(() => {
        stopWaiting();
        reject(new Error(`${name}: no "${type}" message within ${timeoutMs} ms`));
      }, timeoutMs);
      const onMessage = (message) => {
        if (message?.type !== type) return;
        stopWaiting();
        resolveWait(message);
      };
      const onExit = (code, signal) => {
        stopWaiting();
        reject(new Error(`${name} exited (code ${code}, signal ${signal}) before "${type}"`));
      };
      function stopWaiting() {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
      }
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  }

  return {
    child,
    waitFor,
    send: (message) => child.send(message),
    async stop() {
      if (child.exitCode === null && child.signalCode === null && child.connected) {
        child.send({ type: 'stop' });
      }
      const result = await Promise.race([exited, sleep(10_000).then(() => undefined)]);
      if (!result) {
        log(`${name}: did not exit within 10 s after "stop"; killing it`);
        child.kill('SIGKILL');
        return exited;
      }
      return result;
    },
  };
}

/** One autocannon run; with `record`, every 2xx latency is kept at full (sub-ms) precision. */
function load(port, headers, seconds, record, request = {}) {
  return new Promise((resolveLoad, reject) => {
    let latencies = new Float64Array(record ? 1 << 18 : 0);
    let count = 0;
    const instance = autocannon(
      {
        url: `http://${HOST}:${port}${request.path ?? PATH}`,
        connections: request.connections ?? settings.connections,
        duration: seconds,
        headers,
        ...(request.method ? { method: request.method, body: request.body } : {}),
        ...(request.rate ? { overallRate: request.rate } : {}),
      },
      (error, result) => (error ? reject(error) : resolveLoad({ result, latencies, count })),
    );
    if (record) {
      instance.on('response', (_client, statusCode, _bytes, responseTime) => {
        if (statusCode < 200 || statusCode > 299) return;
        if (count === latencies.length) {
          const grown = new Float64Array(latencies.length * 2);
          grown.set(latencies);
          latencies = grown;
        }
        latencies[count++] = responseTime;
      });
    }
  });
}

/**
 * What the counters of two samples (see `sample`) grew by in between, in the same shape: the spans of
 * several slices add up (`addSpans`) into the span `cpuFigures` reads.
 */
function difference(before, after) {
  const minus = (a, b) => (a === undefined || b === undefined ? undefined : b - a);
  return {
    wall: after.wall - before.wall,
    server: after.server - before.server,
    mainThread: minus(before.mainThread, after.mainThread),
    allocated: after.allocated - before.allocated,
    db: minus(before.db, after.db),
    loadgen: after.loadgen - before.loadgen,
    elu: { active: after.elu.active - before.elu.active, idle: after.elu.idle - before.elu.idle },
    machine:
      before.machine && after.machine
        ? {
            busy: after.machine.busy - before.machine.busy,
            total: after.machine.total - before.machine.total,
          }
        : undefined,
  };
}

function addSpans(a, b) {
  const plus = (x, y) => (x === undefined || y === undefined ? undefined : x + y);
  return {
    wall: a.wall + b.wall,
    server: a.server + b.server,
    mainThread: plus(a.mainThread, b.mainThread),
    allocated: a.allocated + b.allocated,
    db: plus(a.db, b.db),
    loadgen: a.loadgen + b.loadgen,
    elu: { active: a.elu.active + b.elu.active, idle: a.elu.idle + b.elu.idle },
    machine:
      a.machine && b.machine
        ? { busy: a.machine.busy + b.machine.busy, total: a.machine.total + b.machine.total }
        : undefined,
  };
}

/** CPU spent during the measured phase: per request (µs) and as a share of the wall-clock time. */
function cpuFigures(span, requests) {
  const perRequest = (micros) => (micros === undefined ? NaN : micros / requests);
  const share = (micros) => (micros === undefined ? NaN : (100 * micros) / span.wall);
  const eventLoopTotal = span.elu.active + span.elu.idle;
  return {
    serverMicrosPerRequest: perRequest(span.server),
    // The rest of the server's CPU is its other threads' (V8's GC helpers, libuv's pool).
    mainThreadMicrosPerRequest: perRequest(span.mainThread),
    allocatedKbPerRequest: span.allocated / 1024 / requests,
    // A database process that exits meanwhile takes its ticks with it: never below zero.
    dbMicrosPerRequest: Math.max(0, perRequest(span.db)),
    serverPercent: share(span.server),
    dbPercent: Math.max(0, share(span.db)),
    loadgenPercent: share(span.loadgen),
    eventLoopPercent: eventLoopTotal > 0 ? (100 * span.elu.active) / eventLoopTotal : NaN,
    machinePercent: span.machine ? (100 * span.machine.busy) / span.machine.total : NaN,
    // Everything else that ran meanwhile (other processes, interrupts), in % of one core: should be
    // near 0 for a fair run.
    otherPercent: span.machine
      ? (100 * span.machine.busy) / span.wall -
        share(span.server) -
        (span.db === undefined ? 0 : share(span.db)) -
        share(span.loadgen)
      : NaN,
  };
}

function percentile(sorted, q) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** Two instances on one database, the load split between them (issue 13: shared limits). */
const instancesOf = (name) => (name.split('@')[0] === 'fastify-2x' ? 2 : 1);

/**
 * The recorded latencies of several loads as one (the shape `load` returns them in; without `count`,
 * all of `latencies` was recorded).
 */
function mergedLatencies(parts) {
  const countOf = (part) => part.count ?? part.latencies.length;
  const latencies = new Float64Array(parts.reduce((n, part) => n + countOf(part), 0));
  let count = 0;
  for (const part of parts) {
    latencies.set(part.latencies.subarray(0, countOf(part)), count);
    count += countOf(part);
  }
  return { latencies, count };
}

/** The p99 of recorded latencies (in `load`'s shape), ms; the buffer is left as it was. */
function p99Of({ latencies, count = latencies.length }) {
  return percentile(latencies.slice(0, count).sort(), 0.99);
}

/** One load run per port, connections split evenly, results summed and latencies merged. */
async function loadAll(ports, headers, seconds, record) {
  if (ports.length === 1) return load(ports[0], headers, seconds, record);
  const connections = Math.max(1, Math.floor(settings.connections / ports.length));
  const parts = await Promise.all(
    ports.map((port) => load(port, headers, seconds, record, { connections })),
  );
  const { latencies, count } = mergedLatencies(parts);
  const sum = (pick) => parts.reduce((n, p) => n + pick(p.result), 0);
  const statusCodeStats = {};
  for (const p of parts) {
    for (const [code, { count: n }] of Object.entries(p.result.statusCodeStats ?? {})) {
      statusCodeStats[code] = { count: (statusCodeStats[code]?.count ?? 0) + n };
    }
  }
  return {
    result: {
      requests: { average: sum((r) => r.requests.average), total: sum((r) => r.requests.total) },
      non2xx: sum((r) => r.non2xx),
      errors: sum((r) => r.errors),
      timeouts: sum((r) => r.timeouts),
      statusCodeStats,
    },
    latencies,
    count,
  };
}

/**
 * Transactions committed or rolled back so far in each named target's own database (PostgreSQL's
 * statistics), by name; targets without a database are left out.
 */
async function databaseTransactions(names) {
  const databases = new Map(
    names
      .filter((name) => databaseUrls.has(name))
      .map((name) => [name, new URL(databaseUrls.get(name)).pathname.slice(1)]),
  );
  if (databases.size === 0) return new Map();
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    // Backends report their counters when idle, at most once a second: wait for that first.
    await sleep(1100);
    const { rows } = await client.query(
      'SELECT datname, xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = ANY($1)',
      [[...databases.values()]],
    );
    const counts = new Map(rows.map((row) => [row.datname, Number(row.n)]));
    return new Map([...databases].map(([name, db]) => [name, counts.get(db) ?? NaN]));
  } finally {
    await client.end();
  }
}

/**
 * A target started and ready to measure: its process (two for fastify-2x), a token, and the checks
 * that GET /users/me refuses a request without it and answers this token with this user everywhere.
 */
async function startBench(name, env, secretKey) {
  const bench = { name, targets: [], ports: [], profiled: settings.profile.includes(name) };
  try {
    // One after the other: the first runs the migrations.
    for (let i = 0; i < instancesOf(name); i++) {
      const target = startTarget(name, env);
      bench.targets.push(target);
      bench.ports.push((await target.waitFor('ready', 120_000)).port);
    }
    const [port] = bench.ports;
    const { headers, check } = BARE.has(name) ? floorToken(secretKey) : await appToken(port, name);
    bench.headers = headers;

    // The route really is protected, and really answers this token with this user, everywhere.
    for (const each of bench.ports) {
      expectStatus(await http(each, { path: PATH }), 401, `${name}: GET ${PATH} without a token`);
      const me = await http(each, { path: PATH, headers });
      expectStatus(me, 200, `${name}: GET ${PATH}`);
      if (!check(me.json))
        throw new Error(`${name}: GET ${PATH} answered someone else: ${me.text}`);
    }
    return bench;
  } catch (error) {
    await stopBench(bench);
    throw error;
  }
}

async function stopBench(bench) {
  for (const target of bench.targets) {
    const exit = await target.stop();
    if (exit && exit.code !== 0 && exit.signal !== 'SIGKILL') {
      log(`${bench.name}: exited with code ${exit.code} signal ${exit.signal}`);
    }
  }
}

async function warmUp(bench) {
  if (settings.warmup === 0) return;
  log(`${bench.name}: warm-up ${settings.warmup} s`);
  const { result } = await loadAll(bench.ports, bench.headers, settings.warmup, false);
  if (result.non2xx > 0) log(`${bench.name}: WARNING: ${result.non2xx} non-2xx during warm-up`);
}

async function startProfile(bench) {
  mkdirSync(settings.profileDir, { recursive: true });
  const [target] = bench.targets;
  target.send({ type: 'profile-start', intervalMicros: 500, kind: settings.profileKind });
  await target.waitFor('profile-started', 10_000);
}

/** Stops the profiler and returns the file it wrote. */
async function stopProfile(bench) {
  const [target] = bench.targets;
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  target.send({
    type: 'profile-stop',
    file: join(settings.profileDir, `${bench.name}-${stamp}.cpuprofile`),
  });
  return (await target.waitFor('profile-written', 60_000)).file;
}

/** CPU time and memory of a target's processes, the load generator's, the database's and the machine's. */
async function sample(bench) {
  const usages = await Promise.all(
    bench.targets.map((t) => {
      t.send({ type: 'usage' });
      return t.waitFor('usage', 10_000);
    }),
  );
  return {
    wall: performance.now() * 1000,
    server: usages.reduce((n, u) => n + u.cpuMicros, 0),
    // Linux only; undefined when any target cannot tell.
    mainThread: usages.every((u) => u.mainThreadCpuMicros !== undefined)
      ? usages.reduce((n, u) => n + u.mainThreadCpuMicros, 0)
      : undefined,
    allocated: usages.reduce((n, u) => n + u.allocatedBytes, 0),
    elu: usages[0].elu,
    rssMb: usages.reduce((n, u) => n + u.memory.rss, 0) / 2 ** 20,
    heapMb: usages.reduce((n, u) => n + u.memory.heapUsed, 0) / 2 ** 20,
    heapTotalMb: usages.reduce((n, u) => n + u.memory.heapTotal, 0) / 2 ** 20,
    externalMb: usages.reduce((n, u) => n + u.memory.external, 0) / 2 ** 20,
    loadgen: ownCpuMicros(),
    db: database ? descendantsCpuMicros(process.pid, 'postgres') : undefined,
    machine: machineCpuMicros(),
  };
}

/**
 * Measures each started target for `seconds`, one after the other: a slice each (the load's result,
 * its latencies, the CPU span, the last sample and the database transactions meanwhile). The database
 * counters are read once between two slices, outside the CPU spans.
 */
async function measureInTurn(benches, seconds) {
  const names = benches.map((bench) => bench.name);
  let transactions = await databaseTransactions(names);
  const slices = [];
  for (const bench of benches) {
    const before = await sample(bench);
    const { result, latencies, count } = await loadAll(bench.ports, bench.headers, seconds, true);
    const after = await sample(bench);
    const transactionsAfter = await databaseTransactions(names);
    slices.push({
      result,
      // A copy of just the recorded part: the load's buffer is sized for a long run.
      latencies: latencies.slice(0, count),
      span: difference(before, after),
      after,
      // NaN for a target without a database.
      transactions: transactionsAfter.get(bench.name) - transactions.get(bench.name),
    });
    transactions = transactionsAfter;
  }
  return slices;
}

/** A target's figures for one round: its slices (one, or one per cycle with BENCH_SLICES) added up. */
function targetRun(bench, round, slices, profileFile) {
  const { name, profiled } = bench;
  const total = (pick) => slices.reduce((n, slice) => n + pick(slice), 0);
  const requests = total((s) => s.result.requests.total);
  // autocannon's req/s is the mean of its per-second counts; a target's slices are equally long.
  const rps = total((s) => s.result.requests.average) / slices.length;
  const sorted = mergedLatencies(slices).latencies.sort();
  const cpu = cpuFigures(slices.map((s) => s.span).reduce(addSpans), requests);
  const { after } = slices.at(-1);
  // Each round on its own line, so the spread behind a median can be seen.
  log(
    `${name}: ${Math.round(rps)} req/s, ` +
      `${Math.round(cpu.serverMicrosPerRequest)} µs/req server CPU, RSS ${Math.round(after.rssMb)} MB ` +
      `(heap ${Math.round(after.heapMb)} of ${Math.round(after.heapTotalMb)} MB, external ${Math.round(after.externalMb)} MB)`,
  );
  const statusCodes = {};
  for (const slice of slices) {
    for (const [code, { count: n }] of Object.entries(slice.result.statusCodeStats ?? {})) {
      statusCodes[code] = (statusCodes[code] ?? 0) + n;
    }
  }
  const transactions = total((s) => s.transactions);
  return {
    target: name,
    round: round + 1,
    rps,
    requests,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    non2xx: total((s) => s.result.non2xx),
    errors: total((s) => s.result.errors),
    timeouts: total((s) => s.result.timeouts),
    statusCodes,
    profiled,
    profileFile,
    // Database transactions per 1,000 GETs during the measured phase (the LISTEN connection and
    // pool housekeeping included): 0 means no round trip on the request path.
    transactionsPer1000: (1000 * transactions) / requests,
    transactions,
    rssMb: after.rssMb,
    cpu,
    // req/s of each slice, by cycle (BENCH_SLICES), for the per-cycle ratios.
    cycleRps: slices.map((s) => s.result.requests.average),
    // The p99 of each slice alone: a slice the VM ran slowly weighs on the pooled p99 above, not on
    // the median of these.
    cycleP99: slices.map(p99Of),
  };
}

/** Default mode: one target started, warmed up, measured for BENCH_DURATION and stopped. */
async function benchTarget(name, round, env, secretKey) {
  log(`${name}: starting (round ${round + 1}/${settings.rounds})`);
  const bench = await startBench(name, env, secretKey);
  try {
    await warmUp(bench);
    if (bench.profiled) await startProfile(bench);
    log(`${name}: measuring ${settings.duration} s, ${settings.connections} connections`);
    const slices = await measureInTurn([bench], settings.duration);
    const profileFile = bench.profiled ? await stopProfile(bench) : undefined;
    return targetRun(bench, round, slices, profileFile);
  } finally {
    await stopBench(bench);
  }
}

/** Seconds per slice with BENCH_SLICES: whole seconds (autocannon samples once a second), at least 1. */
const sliceSeconds = () => Math.max(1, Math.round(settings.duration / settings.slices));

/**
 * The order of a cycle: the round's order rotated by one every second cycle, every other cycle
 * reversed (A B C, C B A, B C A, A C B, ...): over twice as many cycles as targets, each target takes
 * each position equally often, and is measured before and after each other target equally often.
 */
function cycleOrder(list, cycle) {
  const shift = Math.floor(cycle / 2) % list.length;
  const rotated = [...list.slice(shift), ...list.slice(0, shift)];
  return cycle % 2 === 0 ? rotated : rotated.reverse();
}

/**
 * BENCH_SLICES mode, one round: every target started at once and warmed up, then BENCH_SLICES
 * cycles, each measuring every target for a slice in turn; a run per target, its slices added up.
 */
async function benchInterleaved(names, round, env, secretKey) {
  const seconds = sliceSeconds();
  const benches = [];
  try {
    for (const name of names) {
      log(`${name}: starting (round ${round + 1}/${settings.rounds})`);
      benches.push(await startBench(name, env, secretKey));
    }
    for (const bench of benches) await warmUp(bench);
    for (const bench of benches) if (bench.profiled) await startProfile(bench);
    const slices = new Map(benches.map((bench) => [bench, []]));
    for (let cycle = 0; cycle < settings.slices; cycle++) {
      const order = cycleOrder(benches, cycle);
      log(
        `cycle ${cycle + 1}/${settings.slices}: ${seconds} s each, ${settings.connections} ` +
          `connections: ${order.map((bench) => bench.name).join(', ')}`,
      );
      const measured = await measureInTurn(order, seconds);
      measured.forEach((slice, i) => {
        slices.get(order[i]).push(slice);
        log(
          `  ${order[i].name}: ${Math.round(slice.result.requests.average)} req/s, ` +
            `${Math.round(cpuFigures(slice.span, slice.result.requests.total).serverMicrosPerRequest)} µs/req server CPU`,
        );
      });
    }
    const runs = [];
    for (const bench of benches) {
      const profileFile = bench.profiled ? await stopProfile(bench) : undefined;
      runs.push(targetRun(bench, round, slices.get(bench), profileFile));
    }
    return runs;
  } finally {
    for (const bench of benches) await stopBench(bench);
  }
}

// ---------------------------------------------------------------------------------------------
// Report.

const round1 = (value) => (Number.isFinite(value) ? Math.round(value * 10) / 10 : null);

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function combine(runs) {
  const targets = settings.targets.filter((t, i, all) => all.indexOf(t) === i);
  return targets.map((target) => {
    const mine = runs.filter((r) => r.target === target);
    return {
      target,
      rps: median(mine.map((r) => r.rps)),
      p50: median(mine.map((r) => r.p50)),
      p99: median(mine.map((r) => r.p99)),
      non2xx: mine.reduce((sum, r) => sum + r.non2xx, 0),
      errors: mine.reduce((sum, r) => sum + r.errors + r.timeouts, 0),
      requests: mine.reduce((sum, r) => sum + r.requests, 0),
      roundsRps: mine.map((r) => Math.round(r.rps)),
      transactionsPer1000: median(mine.map((r) => r.transactionsPer1000)),
      transactions: median(mine.map((r) => r.transactions)),
      rssMb: median(mine.map((r) => r.rssMb)),
      cpu: Object.fromEntries(
        Object.keys(mine[0].cpu).map((key) => [key, median(mine.map((r) => r.cpu[key]))]),
      ),
      profiled: mine.some((r) => r.profiled),
      cycleRatios: settings.slices ? cycleRatios(target, runs) : undefined,
      cycleP99: settings.slices ? spread(mine.flatMap((r) => r.cycleP99)) : undefined,
    };
  });
}

const spread = (values) => ({
  median: median(values),
  min: Math.min(...values),
  max: Math.max(...values),
});

/** The targets a per-cycle ratio is taken against (BENCH_SLICES), where the run has them. */
const RATIO_BASES = ['floor', 'nest-floor', 'fastify'];

/**
 * BENCH_SLICES: a target's req/s over each base's in the same cycle, for every cycle of every round;
 * their median, min and max by base.
 */
function cycleRatios(target, runs) {
  const figures = {};
  for (const base of RATIO_BASES) {
    const ratios = [];
    for (const run of runs.filter((r) => r.target === target)) {
      const baseRun = runs.find((r) => r.target === base && r.round === run.round);
      if (!baseRun) continue;
      run.cycleRps.forEach((rps, cycle) => ratios.push(rps / baseRun.cycleRps[cycle]));
    }
    if (ratios.length === 0) continue;
    figures[base] = spread(ratios);
  }
  return figures;
}

function markdownTable(header, body) {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...body.map(line)].join('\n');
}

const label = (r) => r.target + (r.profiled ? ' (profiled)' : '');
const fixed = (value, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '-');

function resultsTable(rows) {
  const floor = rows.find((r) => r.target === 'floor');
  const nestFloor = rows.find((r) => r.target === 'nest-floor');
  const ratio = (r, base) => (base && base.rps > 0 ? (r.rps / base.rps).toFixed(3) : '-');
  return markdownTable(
    ['target', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors', 'vs floor', 'vs nest-floor'],
    rows.map((r) => [
      label(r),
      Math.round(r.rps).toLocaleString('en-US'),
      fixed(r.p50, 2),
      fixed(r.p99, 2),
      String(r.non2xx),
      String(r.errors),
      ratio(r, floor),
      ratio(r, nestFloor),
    ]),
  );
}

function cycleRatioTable(rows) {
  const bases = RATIO_BASES.filter((base) => rows.some((r) => r.target === base));
  if (!rows.some((r) => r.cycleRatios) || bases.length === 0) return undefined;
  const cell = (figure, digits = 3) =>
    figure
      ? `${figure.median.toFixed(digits)} (${figure.min.toFixed(digits)}-${figure.max.toFixed(digits)})`
      : '-';
  return markdownTable(
    ['target', ...bases.map((base) => `vs ${base}`), 'p99 ms'],
    rows.map((r) => [
      label(r),
      ...bases.map((base) => cell(r.cycleRatios[base])),
      cell(r.cycleP99, 2),
    ]),
  );
}

function cpuTable(rows) {
  return markdownTable(
    [
      'target',
      'server CPU µs/req',
      'of it main thread',
      'allocated KB/req',
      'db CPU µs/req',
      'db xact/1k req',
      'RSS MB',
      'server CPU %',
      'event loop busy %',
      'db CPU %',
      'autocannon CPU %',
      'other CPU %',
    ],
    rows.map((r) => [
      label(r),
      fixed(r.cpu.serverMicrosPerRequest),
      fixed(r.cpu.mainThreadMicrosPerRequest),
      fixed(r.cpu.allocatedKbPerRequest, 1),
      BARE.has(r.target) ? '-' : fixed(r.cpu.dbMicrosPerRequest),
      BARE.has(r.target) ? '-' : `${fixed(r.transactionsPer1000, 2)} (${r.transactions})`,
      fixed(r.rssMb),
      fixed(r.cpu.serverPercent),
      fixed(r.cpu.eventLoopPercent),
      BARE.has(r.target) ? '-' : fixed(r.cpu.dbPercent),
      fixed(r.cpu.loadgenPercent),
      // Clock-tick rounding can make it slightly negative on an idle machine.
      fixed(Math.max(0, r.cpu.otherPercent)),
    ]),
  );
}

/**
 * Password logins at the production cost (12): logins/s against this machine's bcrypt limit measured
 * alone, and the p99 of a steady authenticated GET during a login storm against the same GET alone.
 */
async function loginStorm(env, seconds) {
  const name = 'fastify-logins';
  const target = startTarget(name, {
    ...env,
    PASSWORD_HASH_ROUNDS: String(LOGIN_COST),
    // The storm is one client with the right password: no limit or lockout may refuse it.
    AUTH_THROTTLE_LIMIT: '1000000',
  });
  try {
    const { port } = await target.waitFor('ready', 120_000);
    // Two users: the storm's logins open far more than the 50 sessions a user may hold, and the
    // oldest session (the GET's, were it the same user) would be ended.
    const { headers } = await appToken(port, name);
    const { username, password } = await appToken(port, name);
    const login = {
      path: '/auth/token',
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'password', username, password }).toString(),
      connections: LOGIN_CONNECTIONS,
    };
    const loginHeaders = { 'content-type': 'application/x-www-form-urlencoded' };
    const get = { connections: STORM_GET_CONNECTIONS, rate: STORM_GET_RATE };
    log(`logins: right after start-up, ${seconds} s`);
    await load(port, loginHeaders, 2, false, login);
    const cold = await load(port, loginHeaders, seconds, false, login);
    const warmup = Math.max(0, LOGIN_WARMUP_SECONDS - 2 - seconds);
    log(`logins: warm-up ${warmup} s more`);
    await load(port, loginHeaders, warmup, false, login);
    // Measured now, beside the storm, with the app idle: this machine's speed drifts by the minute.
    log(`logins: this machine's bcrypt limit at cost ${LOGIN_COST}`);
    const limitOut = execFileSync(
      TARGET_NODE,
      [join(BENCH_DIR, 'bcrypt-limit.mjs'), String(LOGIN_COST), String(seconds)],
      { cwd: ROOT, env, encoding: 'utf8' },
    );
    const { perSecond: limit, cpuMicros: bcryptCpuMicros } = JSON.parse(
      limitOut.trim().split('\n').pop(),
    );
    log(`logins: storm alone ${seconds} s`);
    const storming = { name, targets: [target], profiled: settings.profile.includes(name) };
    if (storming.profiled) await startProfile(storming);
    const before = await sample(storming);
    const alone = await load(port, loginHeaders, seconds, false, login);
    const span = difference(before, await sample(storming));
    const profileFile = storming.profiled ? await stopProfile(storming) : undefined;
    await sleep(STORM_DRAIN_MS);
    // Alone and during the storm in turn, pairs of equal length: the tail of 200 req/s for 10 s is 20
    // requests, and this VM's quiet latency drifts from one half minute to the next.
    const idle = [];
    const stormGet = [];
    const storm = [];
    for (let pair = 1; pair <= STORM_PAIRS; pair++) {
      log(`logins: GET alone at ${STORM_GET_RATE} req/s, ${seconds} s (${pair}/${STORM_PAIRS})`);
      idle.push(await load(port, headers, seconds, true, get));
      log(`logins: GET during the storm (${pair}/${STORM_PAIRS})`);
      const [getDuring, logins] = await Promise.all([
        load(port, headers, seconds, true, get),
        load(port, loginHeaders, seconds, false, login),
      ]);
      stormGet.push(getDuring);
      storm.push(logins);
      // Logins the load generator gave up on at the end are still hashing: let them finish, or they
      // fall into the next quiet phase.
      await sleep(STORM_DRAIN_MS);
    }
    const phases = {
      cold,
      alone,
      ...Object.fromEntries(
        idle.flatMap((run, i) => [
          [`idle${i + 1}`, run],
          [`stormGet${i + 1}`, stormGet[i]],
          [`storm${i + 1}`, storm[i]],
        ]),
      ),
    };
    const failures = Object.values(phases).reduce(
      (n, { result }) => n + result.non2xx + result.errors,
      0,
    );
    const statusCodes = Object.fromEntries(
      Object.entries(phases).map(([phase, { result }]) => [
        phase,
        Object.fromEntries(
          Object.entries(result.statusCodeStats ?? {}).map(([code, { count }]) => [code, count]),
        ),
      ]),
    );
    const logins = alone.result['2xx'];
    return {
      limit,
      bcryptCpuMicros,
      serverCpuMicrosPerLogin: span.server / logins,
      mainThreadCpuMicrosPerLogin:
        span.mainThread === undefined ? undefined : span.mainThread / logins,
      dbCpuMicrosPerLogin: span.db === undefined ? undefined : span.db / logins,
      machineBusyPercent: span.machine && (100 * span.machine.busy) / span.machine.total,
      profileFile,
      loginsPerSecond: logins / seconds,
      loginsAfterStartPerSecond: cold.result['2xx'] / seconds,
      warmupSeconds: LOGIN_WARMUP_SECONDS,
      loginsDuringGet:
        storm.reduce((n, { result }) => n + result['2xx'], 0) / (seconds * storm.length),
      idleP99: p99Of(mergedLatencies(idle)),
      stormP99: p99Of(mergedLatencies(stormGet)),
      pairRatios: idle.map((run, i) => p99Of(stormGet[i]) / p99Of(run)),
      failures,
      statusCodes,
      // Read now: the target's log goes with the temporary directory.
      serverErrors: failures > 0 ? serverErrorLines(name) : [],
    };
  } finally {
    await target.stop();
  }
}

function formatLogins(l) {
  const ms = (micros) => (micros === undefined ? '-' : (micros / 1000).toFixed(1));
  return [
    `Logins (POST /auth/token, password grant, bcrypt cost ${LOGIN_COST}, ${LOGIN_CONNECTIONS} connections):`,
    '',
    `  bcrypt limit of this machine: ${l.limit.toFixed(1)}/s; logins after ${l.warmupSeconds} s of logins: ${l.loginsPerSecond.toFixed(1)}/s = ${((100 * l.loginsPerSecond) / l.limit).toFixed(0)}% of it`,
    `  logins in the first seconds after start-up: ${l.loginsAfterStartPerSecond.toFixed(1)}/s = ${((100 * l.loginsAfterStartPerSecond) / l.limit).toFixed(0)}% of that limit`,
    `  CPU a login, storm alone: server ${ms(l.serverCpuMicrosPerLogin)} ms, of it ${ms(l.mainThreadCpuMicrosPerLogin)} on the main thread (one bcrypt check alone: ${ms(l.bcryptCpuMicros)}); database ${ms(l.dbCpuMicrosPerLogin)} ms; machine ${l.machineBusyPercent?.toFixed(0) ?? '-'}% busy`,
    `  GET ${PATH} at ${STORM_GET_RATE} req/s, ${l.pairRatios.length} times alone then during the storm: p99 ${l.idleP99.toFixed(2)} ms alone, ${l.stormP99.toFixed(2)} ms during the storm (${(l.stormP99 / l.idleP99).toFixed(2)}x; per pair ${l.pairRatios.map((r) => r.toFixed(2)).join(', ')}; ${l.loginsDuringGet.toFixed(1)} logins/s meanwhile)`,
    ...(l.failures > 0
      ? [`  !!! ${l.failures} non-2xx responses or errors: ${JSON.stringify(l.statusCodes)}`]
      : []),
    ...l.serverErrors.map((line) => `    ${line}`),
  ].join('\n');
}

/**
 * What each layer of the authenticated GET costs: server CPU µs per request of the full app minus the
 * same with that layer switched off, in the same run. The first two rows come from the floors.
 */
function ablationTable(rows) {
  const full = rows.find((r) => r.target === 'fastify');
  const floor = rows.find((r) => r.target === 'floor');
  const nestFloor = rows.find((r) => r.target === 'nest-floor');
  // Combined switches (`fastify~a+b`) are printed as rows, not added into the attribution.
  const layers = rows.filter((r) => ablationOf(r.target)?.length === 1);
  if (!full || layers.length === 0) return undefined;
  const cost = (r) => r.cpu.serverMicrosPerRequest;
  const share = (micros) => `${fixed((100 * micros) / cost(full))}%`;
  const body = [];
  if (floor) {
    body.push(['node:http + HS256 (floor)', fixed(cost(floor)), share(cost(floor)), '-', '-']);
  }
  if (floor && nestFloor) {
    const routing = cost(nestFloor) - cost(floor);
    body.push([
      'fastify + Nest routing (nest-floor - floor)',
      fixed(routing),
      share(routing),
      '-',
      '-',
    ]);
  }
  let attributed = 0;
  for (const r of layers) {
    const [layer] = ablationOf(r.target);
    const saved = cost(full) - cost(r);
    // A layer that is part of another (log-write of log) is a split of that row, not counted twice.
    const { partOf } = LAYERS[layer];
    if (!partOf) attributed += saved;
    body.push([
      `${layer}: ${LAYERS[layer].what}${partOf ? ` (part of ${partOf})` : ''}`,
      fixed(saved),
      share(saved),
      Math.round(r.rps).toLocaleString('en-US'),
      fixed(cost(r)),
    ]);
  }
  if (nestFloor) {
    const rest = cost(full) - cost(nestFloor) - attributed;
    body.push([
      'rest (Nest guards/pipes plumbing, GC, not attributed)',
      fixed(rest),
      share(rest),
      '-',
      '-',
    ]);
  }
  body.push([
    '= fastify (everything on)',
    fixed(cost(full)),
    '100%',
    Math.round(full.rps).toLocaleString('en-US'),
    fixed(cost(full)),
  ]);
  return markdownTable(
    ['layer switched off', 'saves µs/req', 'of full', 'req/s without', 'µs/req without'],
    body,
  );
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const factory = join(ROOT, 'dist/src/app.factory.js');
  if (settings.ablation.length > 0) {
    // The ablation table reads each layer against the full app and both floors of the same run.
    for (const base of ['floor', 'nest-floor', 'fastify']) {
      if (!settings.targets.includes(base)) settings.targets.push(base);
    }
    for (const layer of settings.ablation) settings.targets.push(`fastify~${layer}`);
  }
  // The logins and the footprint run the app too, whatever the targets are.
  const needsApp =
    settings.logins || settings.footprint || settings.targets.some((t) => !BARE.has(t));
  if (needsApp && !existsSync(factory)) {
    throw new Error(
      `${relative(ROOT, factory)} is missing: run "npm run build" (npm run bench does)`,
    );
  }
  const started = Date.now();
  const autocannonVersion = JSON.parse(
    readFileSync(join(ROOT, 'node_modules/autocannon/package.json'), 'utf8'),
  ).version;

  tempRoot = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
  // When we are root, the cluster runs as the `postgres` user, which must traverse this directory.
  chmodSync(tempRoot, 0o711);
  const dataDir = join(tempRoot, 'data');
  mkdirSync(dataDir, { mode: 0o711 });

  const secretKey = randomBytes(48).toString('base64url');
  const env = {
    // A clean environment: nothing from the caller's shell (NODE_ENV, ADMIN_*, DATABASE_LOGGING, a
    // .env-style ALGORITHM...) changes what is measured.
    ...Object.fromEntries(
      ['PATH', 'HOME', 'TMPDIR', 'LANG', 'LC_ALL', 'TZ']
        .filter((name) => process.env[name] !== undefined)
        .map((name) => [name, process.env[name]]),
    ),
    SECRET_KEY: secretKey,
    REFRESH_SECRET_KEY: randomBytes(48).toString('base64url'),
    // Production defaults (JSON request log line at info, ...). Production refuses a lower cost; only
    // set-up requests hash a password here.
    NODE_ENV: 'production',
    PASSWORD_HASH_ROUNDS: '10',
    TWO_FACTOR_ENCRYPTION_KEY: randomBytes(48).toString('base64url'),
    SIGNING_KEY_ENCRYPTION_KEY: randomBytes(48).toString('base64url'),
    // Production needs a mail server; nothing here sends mail on the measured path (a discard port).
    SMTP_URL: 'smtp://127.0.0.1:9',
    GATEHOUSE_DATA_DIR: dataDir,
    TOKEN_ISSUER: ISSUER,
    TOKEN_AUDIENCE: AUDIENCE,
    // The per-client rate limiter stays on (its bookkeeping is part of every request), but with a
    // limit no run can reach: every load request comes from the same address, 127.0.0.1.
    THROTTLE_LIMIT: '1000000',
    THROTTLE_TTL_SECONDS: '1',
    API_KEY_THROTTLE_LIMIT: '1000000',
    ...(process.env.BENCH_THREAD_POOL_NICENESS?.trim()
      ? { THREAD_POOL_NICENESS: process.env.BENCH_THREAD_POOL_NICENESS.trim() }
      : {}),
  };

  if (needsApp) {
    log('starting a throwaway PostgreSQL');
    const { startEmbeddedDatabase } = await import('../dist/src/database/embedded-database.js');
    const databases = settings.targets.filter((t) => !BARE.has(t));
    if (settings.logins) databases.push('fastify-logins');
    if (settings.footprint) databases.push('footprint');
    database = await startEmbeddedDatabase({
      directory: join(tempRoot, 'pg'),
      throwaway: true,
      // Interleaved, every app target is up at once, each with its pool (10 by default) and a
      // notification connection: the full ablation's 15 apps would pass PostgreSQL's default 100.
      maxConnections: Math.max(100, 20 * databases.length + 20),
    });
    for (const name of new Set(databases)) {
      const ref = name.split('@')[1] ?? '';
      if (!appDirs.has(ref)) appDirs.set(ref, buildRef(ref));
      databaseUrls.set(name, await createTargetDatabase(name));
    }
  }

  const runs = [];
  for (let round = 0; round < settings.rounds; round++) {
    const order = round % 2 === 0 ? settings.targets : [...settings.targets].reverse();
    if (settings.slices) {
      // A target running twice at once would only share its database with itself.
      runs.push(...(await benchInterleaved([...new Set(order)], round, env, secretKey)));
    } else {
      for (const name of order) runs.push(await benchTarget(name, round, env, secretKey));
    }
  }
  const rows = combine(runs);
  const jwtCost = JSON.parse(
    execFileSync(TARGET_NODE, [join(BENCH_DIR, 'jwt-cost.mjs')], {
      cwd: ROOT,
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .pop(),
  );
  const logins = settings.logins
    ? await loginStorm(env, Math.max(10, settings.duration))
    : undefined;
  const footprint = settings.footprint
    ? await measureFootprint({
        root: ROOT,
        env: { ...env, DATABASE_URL: databaseUrls.get('footprint') },
        tempRoot,
        children,
        load: (port, headers, seconds) => load(port, headers, seconds, false),
        soakSeconds: settings.soak,
        nodeFlags: productionNodeFlags(ROOT),
        node: TARGET_NODE,
        log,
      })
    : undefined;
  const failed = rows.filter((r) => r.non2xx > 0 || r.errors > 0);
  if (logins?.failures > 0)
    failed.push({ target: 'fastify-logins', non2xx: logins.failures, errors: 0 });
  const floor = rows.find((r) => r.target === 'floor');

  const cpu = cpus();
  console.log('');
  console.log(
    `GET ${PATH} with a bearer token (-apikey: an X-API-Key; -2x: two instances on one database, half the connections each); ${settings.connections} connections, ` +
      (settings.slices
        ? `${settings.warmup} s warm-up + ${settings.slices} x ${sliceSeconds()} s measured per target, ` +
          'interleaved (all targets up at once, each measured for a slice in every cycle)'
        : `${settings.warmup} s warm-up + ${settings.duration} s measured per target`) +
      (settings.rounds > 1 ? `, median of ${settings.rounds} rounds` : '') +
      `; servers on node ${TARGET_NODE_VERSION} (bench ${process.version}), autocannon ${autocannonVersion}, ` +
      `${cpu.length} x ${cpu[0]?.model?.trim() ?? 'unknown CPU'}`,
  );
  console.log('');
  console.log(resultsTable(rows));
  console.log('');
  const ratios = cycleRatioTable(rows);
  if (ratios) {
    console.log(
      `req/s over the base's in the same cycle, and each cycle's own p99: median over ` +
        `${settings.slices * settings.rounds} cycles (min-max), the figures to read on a machine ` +
        'whose speed drifts (the p99 above pools every cycle, so one slow slice moves it):',
    );
    console.log('');
    console.log(ratios);
    console.log('');
  }
  console.log(`CPU during the measured phase (% of one core; the machine has ${cpu.length}):`);
  console.log('');
  console.log(cpuTable(rows));
  console.log('');
  const ablation = ablationTable(rows);
  if (ablation) {
    console.log(
      'Ablation: server CPU µs/request saved when one layer is switched off (bench-only switch, ' +
        'bench/ablate.mjs); the other layers stay on. Layers overlap a little (GC, shared objects), ' +
        'so the rows need not add up exactly:',
    );
    console.log('');
    console.log(ablation);
    console.log('');
  }
  if (jwtCost.results) {
    console.log(
      'JWT verification per token (fast-jwt as the app configures it: algorithm pinned, iss, aud, exp), ' +
        'µs of CPU: a token not seen before, and one answered from the verified-token cache (the load ' +
        'above reuses one token per client, so it mostly sees the second figure):',
    );
    console.log('');
    console.log(
      markdownTable(
        ['algorithm', 'µs, unseen token', 'µs, cached token'],
        Object.entries(jwtCost.results).map(([algorithm, r]) => [
          algorithm,
          fixed(r.unseenMicros, 1),
          fixed(r.cachedMicros, 1),
        ]),
      ),
    );
    console.log('');
  } else {
    console.log(`JWT verification per algorithm: skipped (${jwtCost.skipped})`);
    console.log('');
  }
  if (logins) {
    console.log(formatLogins(logins));
    console.log('');
    if (logins.profileFile) {
      console.log(`CPU profile of the storm: ${relative(process.cwd(), logins.profileFile)}`);
      console.log(
        formatSummary(summarise(JSON.parse(readFileSync(logins.profileFile, 'utf8'))), 15),
      );
      console.log('');
    }
  }
  if (footprint) {
    console.log(formatFootprint(footprint, settings.soak));
    console.log('');
  }
  if (settings.rounds > 1) {
    for (const r of rows) console.log(`  ${r.target}: req/s by round ${r.roundsRps.join(', ')}`);
    console.log('');
  }
  const noisy = rows.filter((r) => r.cpu.otherPercent > NOISE_PERCENT);
  if (noisy.length) {
    console.log(
      `Note: other work used more than ${NOISE_PERCENT}% of a core while measuring ` +
        `${noisy.map((r) => `${r.target} (${fixed(r.cpu.otherPercent)}%)`).join(', ')}; ` +
        'these figures are disturbed. Re-run on a quiet machine, or compare CPU µs/req.',
    );
    console.log('');
  }
  for (const r of failed) {
    console.log(
      `!!! ${r.target}: ${r.non2xx} non-2xx responses and ${r.errors} errors/timeouts ` +
        `(status codes ${JSON.stringify(runs.filter((x) => x.target === r.target).map((x) => x.statusCodes))})`,
    );
    for (const line of serverErrorLines(r.target)) console.log(`    ${line}`);
  }
  if (failed.length) console.log('');
  for (const run of runs.filter((r) => r.profileFile?.endsWith('.heapprofile'))) {
    console.log(`Allocation profile of ${run.target}: ${relative(process.cwd(), run.profileFile)}`);
  }
  for (const run of runs.filter((r) => r.profileFile?.endsWith('.cpuprofile'))) {
    console.log(`CPU profile of ${run.target}: ${relative(process.cwd(), run.profileFile)}`);
    console.log(formatSummary(summarise(JSON.parse(readFileSync(run.profileFile, 'utf8'))), 15));
    console.log('');
  }
  if (runs.some((r) => r.profiled)) {
    console.log('(a profiled target runs slower than usual; compare unprofiled runs only)');
    console.log('');
  }

  const summary = {
    bench: 'gatehouse',
    path: PATH,
    ok: failed.length === 0,
    node: TARGET_NODE_VERSION,
    cpus: cpu.length,
    cpuModel: cpu[0]?.model?.trim(),
    autocannon: autocannonVersion,
    connections: settings.connections,
    warmupSeconds: settings.warmup,
    durationSeconds: settings.duration,
    rounds: settings.rounds,
    slices: settings.slices ?? null,
    sliceSeconds: settings.slices ? sliceSeconds() : null,
    logins,
    footprint,
    jwtCost,
    elapsedSeconds: Math.round((Date.now() - started) / 100) / 10,
    results: rows.map((r) => ({
      target: r.target,
      rps: Math.round(r.rps),
      p50Ms: Number(r.p50.toFixed(3)),
      p99Ms: Number(r.p99.toFixed(3)),
      non2xx: r.non2xx,
      errors: r.errors,
      requests: r.requests,
      ratioToFloor: floor ? Number((r.rps / floor.rps).toFixed(4)) : null,
      // BENCH_SLICES: by base target, the median, min and max of the per-cycle req/s ratios.
      cycleRatios: r.cycleRatios
        ? Object.fromEntries(
            Object.entries(r.cycleRatios).map(([base, ratio]) => [
              base,
              Object.fromEntries(
                Object.entries(ratio).map(([key, value]) => [key, Number(value.toFixed(4))]),
              ),
            ]),
          )
        : null,
      // BENCH_SLICES: the median, min and max of the per-cycle p99s, ms.
      cycleP99Ms: r.cycleP99
        ? Object.fromEntries(
            Object.entries(r.cycleP99).map(([key, value]) => [key, Number(value.toFixed(3))]),
          )
        : null,
      profiled: r.profiled,
      serverCpuMicrosPerRequest: round1(r.cpu.serverMicrosPerRequest),
      mainThreadCpuMicrosPerRequest: round1(r.cpu.mainThreadMicrosPerRequest),
      allocatedKbPerRequest: round1(r.cpu.allocatedKbPerRequest),
      dbCpuMicrosPerRequest: BARE.has(r.target) ? null : round1(r.cpu.dbMicrosPerRequest),
      dbTransactionsPer1000Requests: BARE.has(r.target) ? null : round1(r.transactionsPer1000),
      rssMb: round1(r.rssMb),
      serverCpuPercent: round1(r.cpu.serverPercent),
      eventLoopBusyPercent: round1(r.cpu.eventLoopPercent),
      autocannonCpuPercent: round1(r.cpu.loadgenPercent),
      machineBusyPercent: round1(r.cpu.machinePercent),
      otherCpuPercent: round1(r.cpu.otherPercent),
    })),
  };
  console.log(JSON.stringify(summary));
  return failed.length === 0 ? 0 : 1;
}

let exitCode;
try {
  exitCode = await main();
} catch (error) {
  console.error(`[bench] FAILED: ${error?.stack ?? error}`);
  exitCode = 1;
} finally {
  await cleanup();
}
process.exit(exitCode);
