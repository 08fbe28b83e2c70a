import { DataSource, type Logger } from 'typeorm';
import { migrations } from '../migrations/index.js';
import { dataSourceOptions } from '../src/database/data-source.js';
import { createTestDatabase, dropTestDatabase } from './database.js';

const NORMALIZE = 1796200000000;
const timestampOf = (migration: (typeof migrations)[number]) =>
  Number(/(\d{13})$/.exec(migration.name)?.[1]);

/** A database as an older release left it: accounts written before identities were normalised. */
describe('migration NormalizeIdentities', () => {
  it('normalises e-mails and usernames, and reports accounts that collide instead of failing', async () => {
    const database = await createTestDatabase();
    const warnings: string[] = [];
    const logger: Logger = {
      logQuery: () => undefined,
      logQueryError: () => undefined,
      logQuerySlow: () => undefined,
      logSchemaBuild: () => undefined,
      logMigration: () => undefined,
      log: (level, message) => {
        if (level === 'warn') warnings.push(String(message));
      },
    };
    const options = { ...dataSourceOptions(database.url), logger };
    const before = new DataSource({
      ...options,
      migrations: migrations.filter((m) => timestampOf(m) < NORMALIZE),
    });
    await before.initialize();
    const insert = async (email: string, username: string): Promise<string> => {
      const [row] = await before.query(
        `INSERT INTO users (email, username, password_hash) VALUES ($1, $2, 'x') RETURNING id`,
        [email, username],
      );
      return row.id as string;
    };
    let after: DataSource | undefined;
    try {
      await before.runMigrations({ transaction: 'each' });
      const nfd = await insert('jose\u0301@example.com', 'jose_nfd');
      const nfc = await insert('JOS\u00c9@example.com', 'jose_nfc');
      const alone = await insert('rene\u0301@example.com', '\uff52\uff45\uff4e\uff45');
      await before.destroy();

      after = new DataSource(options);
      await after.initialize();
      await after.runMigrations({ transaction: 'each' });
      const rows: Array<{ id: string; email: string; username: string }> = await after.query(
        `SELECT id, email::text AS email, username::text AS username FROM users`,
      );
      const byId = Object.fromEntries(rows.map((row) => [row.id, row]));
      expect(byId[alone]).toMatchObject({ email: 'ren\u00e9@example.com', username: 'rene' });
      expect(byId[nfd].email).toBe('jose\u0301@example.com');
      expect(byId[nfc].email).toBe('JOS\u00c9@example.com');
      expect(warnings).toEqual([
        expect.stringContaining(`users ${nfd}, ${nfc} have the same email`),
      ]);
    } finally {
      if (before.isInitialized) await before.destroy();
      if (after?.isInitialized) await after.destroy();
      await dropTestDatabase(database.name);
    }
  });
});
