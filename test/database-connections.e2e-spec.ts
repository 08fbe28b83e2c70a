import type pg from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source.js';
import { pgDriver } from '../src/database/pg-driver.js';
import { adminQuery, createTestDatabase, dropTestDatabase } from './database.js';

/**
 * A server that goes away while a pooled connection is checked out and idle (TypeORM's start-up
 * queries hold one like that): the client emits 'error', which must find a listener, or Node ends
 * the process.
 */
describe('pooled database connections', () => {
  let database: { name: string; url: string };

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await dropTestDatabase(database.name);
  });

  it('a connection the server ends while it is checked out does not take the process down', async () => {
    const pool = new pgDriver.Pool({ connectionString: database.url, max: 1 });
    const poolErrors: Error[] = [];
    pool.on('error', (error) => poolErrors.push(error));
    const client: pg.PoolClient = await pool.connect();
    const [{ pid }] = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows;
    const ended = new Promise<void>((resolve) => client.once('end', resolve));

    await adminQuery('SELECT pg_terminate_backend($1)', [pid]);
    await ended;

    // The broken connection is thrown away on release, and the pool serves a new one.
    client.release(true);
    const next = await pool.connect();
    try {
      const rows = (await next.query<{ one: number }>('SELECT 1 AS one')).rows;
      expect(rows).toEqual([{ one: 1 }]);
    } finally {
      next.release();
      await pool.end();
    }
    expect(poolErrors).toEqual([]);
  });

  it('is the pool of the app’s TypeORM connection', async () => {
    const dataSource = new DataSource(dataSourceOptions(database.url));
    await dataSource.initialize();
    try {
      expect((dataSource.driver as unknown as { master: unknown }).master).toBeInstanceOf(
        pgDriver.Pool,
      );
    } finally {
      await dataSource.destroy();
    }
  });
});
