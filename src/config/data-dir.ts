import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Env, readString } from './env.js';

/** Where local state lives (embedded database, generated development secrets). Git-ignored.
 * Mode 0711: the embedded cluster runs as the `postgres` user when we are root and must traverse it. */
export function dataDir(env: Env = process.env): string {
  const dir = resolve(readString(env, 'GATEHOUSE_DATA_DIR', '.data'));
  mkdirSync(dir, { recursive: true, mode: 0o711 });
  return dir;
}
