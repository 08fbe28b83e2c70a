import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** `gc()` with no options: a full, synchronous GC (Node 20's V8 reads `{ type: 'major' }` as a scavenge). */
type Gc = () => void;

/** How long after listening a process that is idle then collects start-up's garbage. */
const STARTUP_GARBAGE_DELAY_MS = 5_000;
/** How long before that no request may have begun for the process to count as idle. */
const QUIET_MS = 1_000;

/**
 * Once the app listens, the next full GC comes when the old generation has grown by a tenth over what
 * survived the last one. V8's own factor (up to 4x when GC looks cheap) let Node 24's RSS climb under
 * load by 100 MB a minute, the pages each compaction freed kept in its pool.
 *
 * Set here rather than on the command line: V8 reads the factor at every full GC, and start-up, whose
 * heap only grows, paid three more full GCs for it (about 0.15 s of a 2.6 s restart on Node 24).
 * docs/performance.md, Memory.
 */
export function applyServingHeapSettings(): void {
  setFlagsFromString('--heap-growing-percent=10');
}

/**
 * V8's `gc()`, without exposing it to the app's own context: the flag only gives the function to
 * contexts created while it is set, and it is cleared again at once (unless the process was started
 * with `--expose-gc`, whose `gc` is used as it is). Undefined if this node gives none that way.
 */
export function garbageCollector(): Gc | undefined {
  const own = (globalThis as { gc?: unknown }).gc;
  if (typeof own === 'function') return own as Gc;
  setFlagsFromString('--expose-gc');
  try {
    const gc: unknown = runInNewContext('typeof gc === "function" ? gc : undefined');
    return typeof gc === 'function' ? (gc as Gc) : undefined;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}

/** What the collection asks of the server (InFlightRequests): requests in flight, and begun so far. */
export interface ServingActivity {
  readonly size: number;
  readonly started: number;
}

/**
 * A few seconds after listening, one full GC of start-up's garbage, if the process is idle then: no
 * request in flight and none begun in the last `quietMs`.
 *
 * V8's memory reducer, which shrinks an idle heap, judges the allocation rate from its last full GC. On
 * Node 24 that was one made while modules loaded, so an idle process kept start-up's young generation
 * (about 20 MB of RSS) until the reducer's 100 s watchdog. After one more full GC (about 40 ms, with
 * nothing waiting on it) the reducer does its own work at its next check. A busy process is left
 * alone: its load brings full GCs of its own, and the pause would hold up every request in flight.
 * Nothing in flight alone does not say idle: a request answered from memory begins and ends within one
 * I/O callback, so under full load a timer still finds none in flight. docs/performance.md, Memory.
 */
export function collectStartupGarbageWhenIdle(
  activity: ServingActivity,
  delayMs = STARTUP_GARBAGE_DELAY_MS,
  collector: () => Gc | undefined = garbageCollector,
  quietMs = Math.min(QUIET_MS, delayMs),
): void {
  setTimeout(() => {
    const startedBefore = activity.started;
    setTimeout(() => {
      if (activity.size > 0 || activity.started !== startedBefore) return;
      // Only memory is at stake: whatever fails here must not take the process down.
      try {
        collector()?.();
      } catch {
        // Left to V8's own memory reducer, as before.
      }
    }, quietMs).unref();
  }, delayMs - quietMs).unref();
}
