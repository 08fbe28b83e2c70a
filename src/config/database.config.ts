import { registerAs } from '@nestjs/config';
import { ConfigError, type Env, readBool, readInt, readOptional } from './env.js';

export interface DatabaseConfig {
  url: string;
  migrationsRun: boolean;
  logging: boolean;
  /** Connections this instance may hold at once (x replicas must stay under `max_connections`). */
  poolSize: number;
  /** How long a query waits for a connection (or for one to open) before answering 503. */
  connectTimeoutMs: number;
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
    poolSize: readInt(env, 'DATABASE_POOL_SIZE', 10, { min: 1, max: 1000 }),
    connectTimeoutMs:
      readInt(env, 'DATABASE_CONNECT_TIMEOUT_SECONDS', 5, { min: 1, max: 60 }) * 1000,
  };
}

export const databaseConfig = registerAs('database', () => parseDatabaseConfig(process.env));
