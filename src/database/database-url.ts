import { join } from 'node:path';
import { dataDir } from '../config/data-dir.js';
import { type Env, readOptional } from '../config/env.js';
import {
  type RunningDatabase,
  runningEmbeddedDatabase,
  startEmbeddedDatabase,
} from './embedded-database.js';

/**
 * DATABASE_URL when it is set; otherwise the embedded PostgreSQL with its data under the data
 * directory: the one already running there (another `npm start` or CLI command of this checkout; it is
 * shared and left running), or one started now and stopped by `stop()`. The URL is written back to the
 * environment so the typed config sees it.
 */
export async function provideDatabase(env: Env = process.env): Promise<RunningDatabase> {
  const url = readOptional(env, 'DATABASE_URL');
  if (url) return { url, stop: async () => undefined };
  const directory = join(dataDir(env), 'pg');
  const embedded =
    runningEmbeddedDatabase(directory) ?? (await startEmbeddedDatabase({ directory }));
  env.DATABASE_URL = embedded.url;
  return embedded;
}
