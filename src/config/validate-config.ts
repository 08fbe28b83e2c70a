import { parseAppConfig } from './app.config.js';
import { parseAuthConfig } from './auth.config.js';
import { parseDatabaseConfig } from './database.config.js';
import { parseMailConfig } from './mail.config.js';
import { parseMetricsConfig } from './metrics.config.js';
import { ConfigError, type Env, isProduction, readNodeEnv } from './env.js';
import { parseHttpConfig } from './http.config.js';
import { KEY_MATERIAL, reusedKeyMaterial, secretProblem } from './key-material.js';
import { parseThrottleConfig } from './throttle.config.js';
import { parseTwoFactorConfig } from './two-factor.config.js';
import { parseUsersConfig } from './users.config.js';

/** Each area's reader; a new config area is added here so start-up checks it with the rest. */
const AREAS: Array<(env: Env) => unknown> = [
  parseAppConfig,
  parseAuthConfig,
  parseUsersConfig,
  parseThrottleConfig,
  parseMetricsConfig,
  parseTwoFactorConfig,
  parseHttpConfig,
  parseMailConfig,
];

/** Every problem with the configuration, each named once, in a stable order. */
export function configProblems(env: Env, earlier: string[] = []): string[] {
  const problems = new Set<string>(earlier);
  const note = (read: () => unknown) => {
    try {
      read();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.add(error.message);
    }
  };
  note(() => readNodeEnv(env));
  // An area reader stops at its first problem; the secrets are checked here one by one, so a first
  // production start names every missing one rather than one per restart.
  if (isProduction(env)) {
    for (const name of KEY_MATERIAL) {
      const problem = secretProblem(name, env[name]?.trim());
      if (problem) problems.add(problem);
    }
  }
  for (const problem of reusedKeyMaterial(env)) problems.add(problem);
  for (const area of AREAS) note(() => area(env));
  // Without DATABASE_URL the embedded cluster provides the URL later.
  if (env.DATABASE_URL) note(() => parseDatabaseConfig(env));
  return [...problems];
}

/**
 * Reads every area's configuration once before anything starts, so a bad configuration stops the
 * process with one message (a ConfigError) naming every problem, before a database is started or
 * Nest logs a stack trace. `earlier`: problems found before (the `.env` file's malformed lines).
 */
export function validateConfig(env: Env, earlier: string[] = []): void {
  const problems = configProblems(env, earlier);
  if (problems.length === 1) throw new ConfigError(problems[0]);
  if (problems.length > 1) {
    throw new ConfigError(
      `${problems.length} configuration problems:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`,
    );
  }
}
