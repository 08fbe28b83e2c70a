import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import type { DestinationStream } from 'pino';
import { createApp, type HttpAdapterName } from '../src/app.factory.js';
import { createTestDatabase, dropTestDatabase } from './database.js';
import { Api } from './http.js';

export interface TestApp {
  app: INestApplication;
  api: Api;
  /** The test file's own database. */
  database: { name: string; url: string };
  close(): Promise<void>;
}

/**
 * The real application (same factory as production) on a fresh database of its own, migrated from
 * zero at start-up, listening on a loopback port for real HTTP requests.
 * Passport keeps its strategies in a process-wide registry, so only the app started last authenticates
 * correctly: for a second instance beside this one, use `startInstance` (test/instance.ts).
 */
export async function startTestApp(
  options: {
    env?: Record<string, string | undefined>;
    adapter?: HttpAdapterName;
    database?: { name: string; url: string };
    /** Runs after the app is built and before it starts routing (e.g. to watch route registration). */
    beforeListen?: (app: INestApplication) => void;
    /** A fixed port (e.g. when TOKEN_ISSUER must name the server's URL); default: any free one. */
    port?: number;
    /** JSON log lines go here; without it the app logs nothing. */
    logDestination?: DestinationStream;
  } = {},
): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase());
  process.env.DATABASE_URL = database.url;
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  // TEST_HTTP_ADAPTER=express runs the suite on the Express adapter (Fastify is the default).
  const adapter = options.adapter ?? (process.env.TEST_HTTP_ADAPTER as HttpAdapterName | undefined);
  const app = await createApp(
    options.logDestination
      ? { adapter, logDestination: options.logDestination }
      : { adapter, logger: false },
  );
  options.beforeListen?.(app);
  await app.listen(options.port ?? 0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return {
    app,
    api: new Api(`http://127.0.0.1:${address.port}`),
    database,
    close: async () => {
      await app.close();
      if (!options.database) await dropTestDatabase(database.name);
    },
  };
}
