import type { DataSource } from 'typeorm';
import { withDataSource } from '../cli-context.js';
import { type Output, table } from '../output.js';

/** The implementations behind `gatehouse db ...` (loaded only when a command runs). */

export interface MigrationStatus {
  applied: string[];
  pending: string[];
}

/** Which of the app's migrations the database has run, read without creating or changing anything. */
export async function migrationStatus(dataSource: DataSource): Promise<MigrationStatus> {
  const [{ exists }] = (await dataSource.query(
    `SELECT to_regclass('migrations') IS NOT NULL AS exists`,
  )) as Array<{ exists: boolean }>;
  const executed = exists
    ? ((await dataSource.query(`SELECT name FROM migrations`)) as Array<{ name: string }>).map(
        (row) => row.name,
      )
    : [];
  const names = dataSource.migrations.map(
    (migration) => migration.name ?? migration.constructor.name,
  );
  return {
    applied: names.filter((name) => executed.includes(name)),
    pending: names.filter((name) => !executed.includes(name)),
  };
}

export async function migrate(out: Output): Promise<void> {
  const applied = await withDataSource(async (dataSource) =>
    (await dataSource.runMigrations({ transaction: 'each' })).map((migration) => migration.name),
  );
  out.result({ applied }, () =>
    applied.length
      ? [`Applied ${applied.length} migration(s):`, ...applied.map((name) => `  ${name}`)]
      : 'Up to date.',
  );
}

export async function status(out: Output): Promise<void> {
  const status = await withDataSource(migrationStatus);
  out.result({ ...status, up_to_date: status.pending.length === 0 }, () => [
    ...table(
      ['state', 'migration'],
      [
        ...status.applied.map((name) => ['applied', name]),
        ...status.pending.map((name) => ['pending', name]),
      ],
    ),
    status.pending.length
      ? `${status.pending.length} pending: run \`gatehouse db migrate\`.`
      : 'Up to date.',
  ]);
}
