import { registerAs } from '@nestjs/config';
import { ConfigError, type Env, isProduction, readBool, readInt, readString } from './env.js';

/** The HTTP servers the app runs on (`HTTP_ADAPTER`). */
export const HTTP_ADAPTERS = ['fastify', 'express'] as const;
export type HttpAdapterName = (typeof HTTP_ADAPTERS)[number];

export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface HttpConfig {
  /** Plain-HTTP requests are redirected to https:// (X-Forwarded-Proto counts only with TRUST_PROXY). */
  forceHttps: boolean;
  /** `json`: one JSON object per line; `pretty`: human-readable lines for a terminal. */
  logFormat: LogFormat;
  logLevel: LogLevel;
  /** On SIGTERM, how long in-flight requests may take to finish before their connections are cut. */
  shutdownTimeoutMs: number;
  /**
   * On SIGTERM, how long readiness answers 503 while the listener keeps serving (each response with
   * `Connection: close`), so load balancers stop sending before the listener closes.
   */
  shutdownGraceMs: number;
  /**
   * How far below the main thread libuv's thread pool (bcrypt, file reads, DNS lookups) runs, in steps
   * of niceness; 0 leaves it level. See src/common/thread-pool-priority.ts.
   */
  threadPoolNiceness: number;
}

function readChoice<T extends string>(
  env: Env,
  name: string,
  choices: readonly T[],
  fallback: T,
): T {
  const value = readString(env, name, fallback).toLowerCase();
  if (!(choices as readonly string[]).includes(value)) {
    throw new ConfigError(`${name} must be one of ${choices.join(', ')}, got "${value}"`);
  }
  return value as T;
}

export function parseHttpConfig(env: Env): HttpConfig {
  const development = (env.NODE_ENV ?? 'development') === 'development';
  return {
    forceHttps: readBool(env, 'FORCE_HTTPS', false),
    logFormat: readChoice(env, 'LOG_FORMAT', LOG_FORMATS, development ? 'pretty' : 'json'),
    logLevel: readChoice(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    shutdownTimeoutMs: readInt(env, 'SHUTDOWN_TIMEOUT_SECONDS', 8, { min: 0, max: 3600 }) * 1000,
    // Behind a load balancer (production) a few seconds; on a developer's terminal, stop at once.
    shutdownGraceMs:
      readInt(env, 'SHUTDOWN_GRACE_SECONDS', isProduction(env) ? 5 : 0, { min: 0, max: 600 }) *
      1000,
    threadPoolNiceness: readInt(env, 'THREAD_POOL_NICENESS', 10, { min: 0, max: 19 }),
  };
}

export const httpConfig = registerAs('http', () => parseHttpConfig(process.env));
