import { jest } from '@jest/globals';
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

  it('keeps the connections it opened through idle spells', async () => {
    const dataSource = new DataSource(dataSourceOptions(database.url, false, { size: 3 }));
    await dataSource.initialize();
    const backends = () =>
      adminQuery<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = 'gatehouse' ORDER BY pid`,
        [database.name],
      );
    try {
      // Only pg-pool's idle timer is faked; sockets and the server are real.
      jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'Date'] });
      await Promise.all([1, 2, 3].map(() => dataSource.query('SELECT pg_sleep(0.1)')));
      const opened = await backends();
      expect(opened).toHaveLength(3);

      // pg-pool closes an idle connection after 10 s unless told otherwise: an hour passes.
      await jest.advanceTimersByTimeAsync(60 * 60 * 1000);
      jest.useRealTimers();
      expect(await backends()).toEqual(opened);
      expect(await dataSource.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);

      // A kept connection the server ends (a restart, pg_terminate_backend) leaves the pool, and the
      // next query gets a new one.
      const pool = (dataSource.driver as unknown as { master: pg.Pool }).master;
      await adminQuery('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [
        opened.map(({ pid }) => pid),
      ]);
      while (pool.totalCount > 0) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await dataSource.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      jest.useRealTimers();
      await dataSource.destroy();
    }
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
