// Footprint of the production entry point (`node dist/src/main.js`, what the container runs): time from
// spawn to a healthy readiness answer (first start, then a restart on the same database), resident
// memory idle, after 20 s of the authenticated GET load, and a curve over a longer soak.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { appToken, HOST, http } from './http.mjs';

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Resident set size of a process in MB (VmRSS), from /proc. */
export function rssMb(pid) {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Starts main.js and resolves once GET /health/ready answers 200: { child, ms }. */
async function startMain({
  root,
  env,
  port,
  logPath,
  children,
  nodeFlags,
  node = process.execPath,
}) {
  const logFile = openSync(logPath, 'a');
  const started = performance.now();
  const child = spawn(node, [...nodeFlags, join(root, 'dist/src/main.js')], {
    cwd: root,
    env: { ...env, HOST, PORT: String(port) },
    stdio: ['ignore', logFile, logFile],
  });
  closeSync(logFile);
  children.add(child);
  child.once('exit', () => children.delete(child));
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`main.js exited with ${child.exitCode}: see ${logPath}`);
    const ready = await http(port, { path: '/health/ready' }).catch(() => undefined);
    if (ready?.status === 200) return { child, ms: performance.now() - started };
    if (performance.now() - started > 60_000) throw new Error('main.js: not ready within 60 s');
    await sleep(10);
  }
}

function stopMain(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Seconds after ready at which idle memory is read again: V8's memory reducer has run by then. */
const SETTLED_SECONDS = 40;

/**
 * { firstStartMs, restartMs, idleRssMb, settledRssMb, loadedRssMb, curve: [{ seconds, rssMb, rps }] }.
 * Idle memory is read twice: 3 s after ready (start-up's young generation and garbage still held) and
 * SETTLED_SECONDS after ready, once V8's memory reducer (it runs on its own some 20-30 s into an idle
 * process) has shrunk the young generation: what an idle replica holds.
 * `load(port, headers, seconds)` is the bench's load generator.
 */
export async function measureFootprint({
  root,
  env,
  tempRoot,
  children,
  load,
  soakSeconds,
  nodeFlags,
  node,
  log,
}) {
  const port = await freePort();
  const logPath = join(tempRoot, 'footprint.log');
  const options = { root, env, port, logPath, children, nodeFlags, node };
  log('footprint: first start of main.js (runs the migrations)');
  const first = await startMain(options);
  await stopMain(first.child);
  log('footprint: restart');
  const { child, ms: restartMs } = await startMain(options);
  try {
    await sleep(3000);
    const idleRssMb = rssMb(child.pid);
    log(`footprint: idle until ${SETTLED_SECONDS} s after ready`);
    await sleep((SETTLED_SECONDS - 3) * 1000);
    const settledRssMb = rssMb(child.pid);
    const { headers } = await appToken(port, 'footprint');
    log('footprint: 20 s of load');
    const loaded = await load(port, headers, 20);
    await sleep(500);
    const loadedRssMb = rssMb(child.pid);
    const curve = [];
    if (soakSeconds > 0) {
      log(`footprint: soak ${soakSeconds} s`);
      const step = Math.max(1, Math.round(soakSeconds / 10));
      for (let t = 0; t < soakSeconds; t += step) {
        const seconds = Math.min(step, soakSeconds - t);
        const { result } = await load(port, headers, seconds);
        curve.push({ seconds: t + seconds, rssMb: rssMb(child.pid), rps: result.requests.average });
      }
    }
    return {
      command: ['node', ...nodeFlags, 'dist/src/main.js'].join(' '),
      firstStartMs: first.ms,
      restartMs,
      idleRssMb,
      settledRssMb,
      loadedRssMb,
      loadedRps: loaded.result.requests.average,
      curve,
    };
  } finally {
    await stopMain(child);
  }
}

export function formatFootprint(f, soakSeconds) {
  const mb = (v) => `${v.toFixed(0)} MB`;
  const lines = [
    `Footprint of \`${f.command}\` (NODE_ENV=production, this checkout):`,
    '',
    `  start to healthy (GET /health/ready 200): first start ${(f.firstStartMs / 1000).toFixed(2)} s (migrations), restart ${(f.restartMs / 1000).toFixed(2)} s`,
    `  RSS idle: 3 s after ready ${mb(f.idleRssMb)}, ${SETTLED_SECONDS} s after ready (settled) ${mb(f.settledRssMb)}`,
    `  RSS after 20 s of load (${Math.round(f.loadedRps).toLocaleString('en-US')} req/s): ${mb(f.loadedRssMb)}`,
  ];
  if (f.curve.length > 0) {
    const first = f.curve[0];
    const last = f.curve[f.curve.length - 1];
    lines.push(
      `  RSS over ${soakSeconds} s more of load (after the 20 s): ` +
        f.curve.map((p) => `${p.seconds}s ${p.rssMb.toFixed(0)}`).join(', ') +
        ` MB; first to last ${last.rssMb - first.rssMb >= 0 ? '+' : ''}${(last.rssMb - first.rssMb).toFixed(1)} MB`,
    );
  }
  return lines.join('\n');
}
