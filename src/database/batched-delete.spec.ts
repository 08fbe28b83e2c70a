import type { DataSource } from 'typeorm';
import { deleteInBatches } from './batched-delete.js';

/** A data source whose DELETE statements report the given row counts, one per statement. */
function dataSourceDeleting(counts: number[]) {
  const statements: { table: string; where: string; parameters: object }[] = [];
  const dataSource = {
    createQueryBuilder: () => {
      const statement = { table: '', where: '', parameters: {} };
      const builder = {
        delete: () => builder,
        from(table: string) {
          statement.table = table;
          return builder;
        },
        where(where: string, parameters: object) {
          Object.assign(statement, { where, parameters });
          return builder;
        },
        execute: async () => {
          statements.push(statement);
          return { affected: counts.shift() ?? 0 };
        },
      };
      return builder;
    },
  } as unknown as DataSource;
  return { dataSource, statements };
}

describe('deleteInBatches', () => {
  it('deletes in statements of 5,000 rows until one deletes fewer, and adds them up', async () => {
    const { dataSource, statements } = dataSourceDeleting([5_000, 5_000, 12]);
    const cutoff = new Date();
    await expect(
      deleteInBatches(dataSource, 'mail_outbox', `status = 'sent' AND created_at < :cutoff`, {
        cutoff,
      }),
    ).resolves.toBe(10_012);
    expect(statements).toHaveLength(3);
    for (const statement of statements) {
      expect(statement.table).toBe('mail_outbox');
      // The caller's condition is kept whole (parenthesised) under the batch's LIMIT.
      expect(statement.where).toBe(
        `id IN (SELECT id FROM mail_outbox WHERE (status = 'sent' AND created_at < :cutoff) LIMIT :batch)`,
      );
      expect(statement.parameters).toEqual({ cutoff, batch: 5_000 });
    }
  });

  it('stops after one statement when nothing matches', async () => {
    const { dataSource, statements } = dataSourceDeleting([0]);
    await expect(deleteInBatches(dataSource, 'sessions', 'false', {})).resolves.toBe(0);
    expect(statements).toHaveLength(1);
  });
});
