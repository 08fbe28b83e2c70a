import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The server started by global-setup.mjs (or TEST_DATABASE_URL), as an admin connection string. */
function adminUrl(): string {
  const url = process.env.GATEHOUSE_TEST_ADMIN_URL;
  if (!url)
    throw new Error('GATEHOUSE_TEST_ADMIN_URL is not set: run the tests through `npm test`');
  return url;
}

export function databaseUrl(name: string): string {
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

/** A new, empty database of its own for one test file, so files never see each other's rows. */
export async function createTestDatabase(): Promise<{ name: string; url: string }> {
  const name = `gatehouse_test_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return { name, url: databaseUrl(name) };
}

export async function dropTestDatabase(name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

export async function adminQuery<T extends pg.QueryResultRow>(
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}
