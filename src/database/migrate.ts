/**
 * Migration CLI, on the same connection definition as the app:
 *   node dist/src/database/migrate.js run | revert | show | generate <PascalName>
 * Without DATABASE_URL it works on the embedded database under the data directory.
 */
import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { provideDatabase } from './database-url.js';
import { dataSourceOptions } from './data-source.js';

const MIGRATIONS_DIR = 'migrations';

function migrationSource(className: string, up: string[], down: string[]): string {
  const lines = (queries: string[]) =>
    queries.map((query) => `    await queryRunner.query(${JSON.stringify(query)});`).join('\n');
  return `import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
  name = '${className}';

  public async up(queryRunner: QueryRunner): Promise<void> {
${lines(up)}
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
${lines(down)}
  }
}
`;
}

async function generate(dataSource: DataSource, name: string | undefined): Promise<void> {
  if (!name || !/^[A-Z][A-Za-z0-9]+$/.test(name)) {
    throw new Error('usage: migration:generate <PascalCaseName>');
  }
  await dataSource.runMigrations({ transaction: 'each' });
  const sql = await dataSource.driver.createSchemaBuilder().log();
  if (sql.upQueries.length === 0) {
    console.log('No changes: the entities match the database.');
    return;
  }
  const timestamp = Date.now();
  const className = `${name}${timestamp}`;
  const file = `${timestamp}-${name}`;
  writeFileSync(
    join(MIGRATIONS_DIR, `${file}.ts`),
    migrationSource(
      className,
      sql.upQueries.map((q) => q.query),
      sql.downQueries.map((q) => q.query).reverse(),
    ),
  );
  const indexFile = join(MIGRATIONS_DIR, 'index.ts');
  const index = readFileSync(indexFile, 'utf8')
    .replace(/^(\/\/ imports end)/m, `import { ${className} } from './${file}.js';\n$1`)
    .replace(/^(\s*\/\/ list end)/m, `  ${className},\n$1`);
  writeFileSync(indexFile, index);
  console.log(
    `Wrote ${MIGRATIONS_DIR}/${file}.ts and listed it in ${indexFile}; review it before committing.`,
  );
}

async function main(): Promise<void> {
  const [command, name] = process.argv.slice(2);
  const database = await provideDatabase();
  const dataSource = new DataSource(dataSourceOptions(database.url));
  try {
    await dataSource.initialize();
    switch (command) {
      case 'run': {
        const applied = await dataSource.runMigrations({ transaction: 'each' });
        console.log(
          applied.length ? `Applied: ${applied.map((m) => m.name).join(', ')}` : 'Up to date.',
        );
        break;
      }
      case 'revert':
        await dataSource.undoLastMigration({ transaction: 'each' });
        console.log('Reverted the last migration.');
        break;
      case 'show': {
        const pending = await dataSource.showMigrations();
        console.log(pending ? 'Migrations are pending.' : 'Up to date.');
        break;
      }
      case 'generate':
        await generate(dataSource, name);
        break;
      default:
        throw new Error('usage: migrate.js run | revert | show | generate <PascalCaseName>');
    }
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await database.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
