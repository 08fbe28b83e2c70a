import { registerAs } from '@nestjs/config';
import { type Env, readInt } from './env.js';

export interface ThrottleConfig {
  /** Requests per client per window, on every route. */
  limit: number;
  windowSeconds: number;
  /** Requests per client per minute on login, token, register and 2FA routes together. */
  authLimit: number;
  /** Requests per API key per minute, on top of the per-client limits. */
  apiKeyLimit: number;
}

export function parseThrottleConfig(env: Env): ThrottleConfig {
  return {
    limit: readInt(env, 'THROTTLE_LIMIT', 100, { min: 1, max: 1_000_000 }),
    windowSeconds: readInt(env, 'THROTTLE_TTL_SECONDS', 60, { min: 1, max: 86_400 }),
    authLimit: readInt(env, 'AUTH_THROTTLE_LIMIT', 10, { min: 1, max: 1_000_000 }),
    apiKeyLimit: readInt(env, 'API_KEY_THROTTLE_LIMIT', 60, { min: 1, max: 1_000_000 }),
  };
}

export const throttleConfig = registerAs('throttle', () => parseThrottleConfig(process.env));
