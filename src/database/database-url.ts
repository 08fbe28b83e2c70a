import { join } from 'node:path';
import { dataDir } from '../config/data-dir.js';
import { type Env, readOptional } from '../config/env.js';
import { type RunningDatabase, startEmbeddedDatabase } from './embedded-database.js';

/**
 * DATABASE_URL when it is set; otherwise an embedded PostgreSQL with its data under the data
 * directory, started now. The URL is written back to the environment so the typed config sees it.
 */
export async function provideDatabase(env: Env = process.env): Promise<RunningDatabase> {
  const url = readOptional(env, 'DATABASE_URL');
  if (url) return { url, stop: async () => undefined };
  const embedded = await startEmbeddedDatabase({ directory: join(dataDir(env), 'pg') });
  env.DATABASE_URL = embedded.url;
  return embedded;
}
