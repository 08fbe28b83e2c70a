import { setFlagsFromString } from 'node:v8';

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
