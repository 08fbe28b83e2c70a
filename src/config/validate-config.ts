import { parseAppConfig } from './app.config.js';
import { parseAuthConfig } from './auth.config.js';
import { parseDatabaseConfig } from './database.config.js';
import { parseMailConfig } from './mail.config.js';
import { parseMetricsConfig } from './metrics.config.js';
import { type Env } from './env.js';
import { parseHttpConfig } from './http.config.js';
import { parseThrottleConfig } from './throttle.config.js';
import { parseTwoFactorConfig } from './two-factor.config.js';
import { parseUsersConfig } from './users.config.js';

/**
 * Reads every area's configuration once before anything starts, so a bad variable stops the process
 * with one line naming it (a ConfigError), before a database is started or Nest logs a stack trace.
 * The database area is read later: without DATABASE_URL the embedded cluster provides the URL.
 */
export function validateConfig(env: Env): void {
  parseAppConfig(env);
  parseAuthConfig(env);
  parseUsersConfig(env);
  parseThrottleConfig(env);
  parseMetricsConfig(env);
  parseTwoFactorConfig(env);
  parseHttpConfig(env);
  parseMailConfig(env);
  if (env.DATABASE_URL) parseDatabaseConfig(env);
}
