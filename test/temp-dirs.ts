import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const KEY = '__gatehouseTempDirs';
type Registry = { [KEY]?: string[] };

/**
 * A new `gatehouse-*` directory under the system temp dir, removed after the test file
 * (test/remove-temp-dirs.ts), so `npm test` leaves nothing behind. Mode 0711: an embedded cluster
 * inside runs as the `postgres` user when the tests run as root, and must traverse it.
 */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o711);
  const registry = globalThis as Registry;
  (registry[KEY] ??= []).push(dir);
  return dir;
}

export function removeTempDirs(): void {
  const registry = globalThis as Registry;
  for (const dir of registry[KEY]?.splice(0) ?? []) rmSync(dir, { recursive: true, force: true });
}
