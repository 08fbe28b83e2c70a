import { existsSync } from 'node:fs';
import type { INestApplicationContext, LoggerService } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { validateConfig } from '../config/validate-config.js';
import { provideDatabase } from '../database/database-url.js';
import { dataSourceOptions } from '../database/data-source.js';
import { CliError, oneLine } from './cli-error.js';

/**
 * The environment a command runs in, read the way `npm start` reads it: ./.env (variables already set
 * win), then every area's configuration validated. A command serves nothing and migrates nothing by
 * itself (`gatehouse db migrate` does that).
 */
function prepareEnvironment(): void {
  if (existsSync('.env')) process.loadEnvFile('.env');
  delete process.env.METRICS_PORT;
  process.env.DATABASE_MIGRATIONS_RUN = 'false';
  validateConfig(process.env);
}

/** Warnings and errors of the services, one line each on stderr; their chatter stays quiet. */
class CliLogger implements LoggerService {
  log(): void {}
  debug(): void {}
  verbose(): void {}
  warn(message: unknown): void {
    process.stderr.write(`gatehouse: warning: ${oneLine(String(message))}\n`);
  }
  error(message: unknown): void {
    process.stderr.write(`gatehouse: error: ${oneLine(String(message))}\n`);
  }
}

/**
 * A plain connection on the app's own definition (entities, migrations): for the database and audit
 * chain commands, which must work on a database the app cannot start on (pending migrations).
 */
export async function withDataSource<T>(fn: (dataSource: DataSource) => Promise<T>): Promise<T> {
  prepareEnvironment();
  const database = await provideDatabase();
  const dataSource = new DataSource(dataSourceOptions(database.url));
  try {
    await dataSource.initialize();
    return await fn(dataSource);
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await database.stop();
  }
}

/**
 * The application's own services (the same module the API runs, without HTTP), so a command obeys the
 * same rules: validation, password policy, rank, last admin, audit, and revocation heard by every
 * instance through the database's NOTIFY. Refuses to run on a database with pending migrations.
 */
export async function withApp<T>(fn: (app: INestApplicationContext) => Promise<T>): Promise<T> {
  prepareEnvironment();
  const database = await provideDatabase();
  let app: INestApplicationContext | undefined;
  try {
    // Loaded here, not above: the database and audit commands start faster without Nest.
    const [{ NestFactory }, { AppModule }] = await Promise.all([
      import('@nestjs/core'),
      import('../app.module.js'),
    ]);
    app = await NestFactory.createApplicationContext(AppModule, {
      logger: new CliLogger(),
      abortOnError: false,
    });
    if (await app.get(DataSource).showMigrations())
      throw new CliError(
        'the database has pending migrations: run `gatehouse db migrate` first',
        'MIGRATIONS_PENDING',
      );
    return await fn(app);
  } finally {
    await app?.close();
    await database.stop();
  }
}
