import { registerAs } from '@nestjs/config';
import { ConfigError, type Env, readInt, readOptional } from './env.js';

export interface ThrottleConfig {
  /** Requests per client per window, on every route. */
  limit: number;
  windowSeconds: number;
  /** Requests per client per minute on login, token, register and 2FA routes together. */
  authLimit: number;
  /** Requests per API key per minute, on top of the per-client limits. */
  apiKeyLimit: number;
  /**
   * `redis://` or `rediss://` URL: every rate-limit counter lives there. Unset: the limits that
   * protect accounts live in PostgreSQL, the general per-client limit in each instance's memory.
   */
  redisUrl?: string;
}

function readRedisUrl(env: Env): string | undefined {
  const url = readOptional(env, 'REDIS_URL');
  if (url === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError('REDIS_URL must be a redis:// or rediss:// URL');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new ConfigError('REDIS_URL must be a redis:// or rediss:// URL');
  }
  return url;
}

export function parseThrottleConfig(env: Env): ThrottleConfig {
  return {
    limit: readInt(env, 'THROTTLE_LIMIT', 100, { min: 1, max: 1_000_000 }),
    windowSeconds: readInt(env, 'THROTTLE_TTL_SECONDS', 60, { min: 1, max: 86_400 }),
    authLimit: readInt(env, 'AUTH_THROTTLE_LIMIT', 10, { min: 1, max: 1_000_000 }),
    apiKeyLimit: readInt(env, 'API_KEY_THROTTLE_LIMIT', 60, { min: 1, max: 1_000_000 }),
    redisUrl: readRedisUrl(env),
  };
}

export const throttleConfig = registerAs('throttle', () => parseThrottleConfig(process.env));
