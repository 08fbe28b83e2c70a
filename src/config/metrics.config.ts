import { registerAs } from '@nestjs/config';
import { ConfigError, type Env, isProduction, readInt, readOptional, readString } from './env.js';

export interface MetricsConfig {
  /** Bearer token that opens GET /metrics on the API port; unset: /metrics is not served there (404). */
  token?: string;
  /** A separate listener that serves only /metrics (and answers nothing else); unset: none. */
  port?: number;
  /** Where that listener binds. */
  host: string;
}

export function parseMetricsConfig(env: Env): MetricsConfig {
  const token = readOptional(env, 'METRICS_TOKEN');
  if (token !== undefined && token.length < (isProduction(env) ? 32 : 16)) {
    throw new ConfigError(
      `METRICS_TOKEN must be at least ${isProduction(env) ? 32 : 16} characters long`,
    );
  }
  const rawPort = readOptional(env, 'METRICS_PORT');
  const port =
    rawPort === undefined ? undefined : readInt(env, 'METRICS_PORT', 0, { min: 0, max: 65535 });
  return { token, port, host: readString(env, 'METRICS_HOST', '127.0.0.1') };
}

export const metricsConfig = registerAs('metrics', () => parseMetricsConfig(process.env));
