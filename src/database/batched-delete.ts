import type { DataSource, ObjectLiteral } from 'typeorm';

/** Rows a statement deletes at most: a large backlog goes in short statements, not one long lock. */
const BATCH_SIZE = 5_000;

/**
 * Deletes the rows of `table` that match `where` (a condition with named parameters), in statements
 * of at most BATCH_SIZE rows until none is left. Returns how many rows went.
 */
export async function deleteInBatches(
  dataSource: DataSource,
  table: string,
  where: string,
  parameters: ObjectLiteral,
): Promise<number> {
  let deleted = 0;
  for (;;) {
    const result = await dataSource
      .createQueryBuilder()
      .delete()
      .from(table)
      .where(`id IN (SELECT id FROM ${table} WHERE (${where}) LIMIT :batch)`, {
        ...parameters,
        batch: BATCH_SIZE,
      })
      .execute();
    const affected = result.affected ?? 0;
    deleted += affected;
    if (affected < BATCH_SIZE) return deleted;
  }
}
