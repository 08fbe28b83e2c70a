import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source.js';
import { createTestDatabase, dropTestDatabase } from './database.js';

describe('migrations', () => {
  it('build the schema from an empty database, match the entities exactly, and revert cleanly', async () => {
    const database = await createTestDatabase();
    const dataSource = new DataSource(dataSourceOptions(database.url));
    await dataSource.initialize();
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      expect(applied.length).toBeGreaterThan(0);
      expect(await dataSource.showMigrations()).toBe(false);

      const tables = await dataSource.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
      );
      expect(tables.map((row: { table_name: string }) => row.table_name)).toEqual(
        expect.arrayContaining(['migrations', 'sessions', 'users']),
      );
      const emailType = await dataSource.query(
        `SELECT udt_name FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'email'`,
      );
      expect(emailType[0].udt_name).toBe('citext');

      // What `npm run migration:generate` would write: nothing, so entities and migrations agree.
      const drift = await dataSource.driver.createSchemaBuilder().log();
      expect(drift.upQueries.map((q) => q.query)).toEqual([]);

      for (let i = 0; i < applied.length; i++)
        await dataSource.undoLastMigration({ transaction: 'each' });
      const left = await dataSource.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations'`,
      );
      expect(left).toEqual([]);
    } finally {
      await dataSource.destroy();
      await dropTestDatabase(database.name);
    }
  });
});
