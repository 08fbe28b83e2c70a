import { registerAs } from '@nestjs/config';
import { ConfigError, type Env, readBool, readOptional } from './env.js';

export interface DatabaseConfig {
  url: string;
  migrationsRun: boolean;
  logging: boolean;
}

export function parseDatabaseConfig(env: Env): DatabaseConfig {
  // main.ts starts the embedded cluster and sets DATABASE_URL before the app module is built.
  const url = readOptional(env, 'DATABASE_URL');
  if (!url) throw new ConfigError('DATABASE_URL is not set and no embedded database was started');
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new ConfigError('DATABASE_URL must be a postgres:// URL');
  }
  return {
    url,
    migrationsRun: readBool(env, 'DATABASE_MIGRATIONS_RUN', true),
    logging: readBool(env, 'DATABASE_LOGGING', false),
  };
}

export const databaseConfig = registerAs('database', () => parseDatabaseConfig(process.env));
