// CPU accounting for the measured phase, best effort and Linux-only where it reads /proc. Requests per
// second on a shared 2-core machine move with the load generator and the neighbours; CPU time spent
// per request by the server (and by its database) is the steadier measure of what the code costs.
import { existsSync, readdirSync, readFileSync } from 'node:fs';

const HAS_PROC = existsSync('/proc/self/stat');
const CLOCK_TICK_MICROS = 10_000; // USER_HZ is 100 on Linux

/** A process's or thread's `stat` file from /proc (`path`), or undefined where it cannot be read. */
function statAt(path) {
  try {
    const text = readFileSync(path, 'utf8');
    const close = text.lastIndexOf(')');
    const comm = text.slice(text.indexOf('(') + 1, close);
    const fields = text.slice(close + 2).split(' ');
    // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
    return {
      comm,
      ppid: Number(fields[1]),
      micros: (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MICROS,
    };
  } catch {
    return undefined;
  }
}

function statOf(pid) {
  const stat = statAt(`/proc/${pid}/stat`);
  return stat && { pid, ...stat };
}

/**
 * CPU time of this process's main thread alone (undefined without /proc): the process's own figure
 * also counts libuv's pool (bcrypt) and V8's helper threads.
 */
export function mainThreadCpuMicros() {
  return statAt(`/proc/self/task/${process.pid}/stat`)?.micros;
}

/** CPU microseconds used so far by the descendants of `rootPid` named `comm` (e.g. postgres). */
export function descendantsCpuMicros(rootPid, comm) {
  if (!HAS_PROC) return undefined;
  const all = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => statOf(Number(name)))
    .filter(Boolean);
  const children = new Map();
  for (const stat of all) {
    if (!children.has(stat.ppid)) children.set(stat.ppid, []);
    children.get(stat.ppid).push(stat);
  }
  let micros = 0;
  const queue = [...(children.get(rootPid) ?? [])];
  while (queue.length) {
    const stat = queue.pop();
    if (stat.comm === comm) micros += stat.micros;
    queue.push(...(children.get(stat.pid) ?? []));
  }
  return micros;
}

/** Busy and total CPU microseconds of the whole machine (all cores) so far. */
export function machineCpuMicros() {
  if (!HAS_PROC) return undefined;
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user)
  const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = ticks[3] + ticks[4];
  return { busy: (total - idle) * CLOCK_TICK_MICROS, total: total * CLOCK_TICK_MICROS };
}

export function ownCpuMicros() {
  const { user, system } = process.cpuUsage();
  return user + system;
}
