import { hash } from 'node:crypto';
import { createRequire } from 'node:module';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Redis } from 'ioredis';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import type { DataSource } from 'typeorm';
import { AppError } from '../common/errors/app-error.js';
import { throttleConfig, type ThrottleConfig } from '../config/throttle.config.js';

/** What one counted hit found: whether it is within the limit, and when the window ends. */
export interface LimitResult {
  allowed: boolean;
  /** Hits in the current window, this one included. */
  hits: number;
  /** Seconds until the window ends (at least 1). */
  retryAfterSeconds: number;
}

/** The table of migration 1796100000000 (UNLOGGED: counters need no crash safety). */
const TABLE = 'rate_limits';
/** A shared store slower than this counts as down for that hit. */
const STORE_TIMEOUT_MS = 5000;
/** After a failure, the shared store is left alone this long (memory counters meanwhile). */
const RETRY_STORE_AFTER_MS = 2000;

class StoreTimeout extends Error {
  constructor() {
    super(`no answer within ${STORE_TIMEOUT_MS} ms`);
  }
}

interface Pair {
  shared: RateLimiterAbstract;
  memory: RateLimiterMemory;
}

/**
 * Fixed-window counters shared by every instance: in Redis when REDIS_URL is set, otherwise in
 * PostgreSQL (one atomic `INSERT ... ON CONFLICT DO UPDATE ... RETURNING` per hit, in an UNLOGGED
 * table). rate-limiter-flexible does the store work (see docs/rate-limits.md for why this library).
 *
 * When the shared store fails or is slow, each hit is counted in this instance's memory instead, and
 * the log says so once (and once more when the store is back): a limit then holds per instance, never
 * opens, and a store failure never turns into a 500.
 *
 * Keys are kept as SHA-256 digests, so no address or e-mail sits in the store.
 */
@Injectable()
export class SharedLimiter implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(SharedLimiter.name);
  private readonly limiters = new Map<string, Pair>();
  private readonly redis?: Redis;
  private storeDownUntil = 0;
  private storeDown = false;

  constructor(
    @Inject(throttleConfig.KEY) config: ThrottleConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    if (config.redisUrl) {
      // Loaded only with REDIS_URL: an instance without Redis never holds the client library.
      const { Redis } = createRequire(import.meta.url)('ioredis') as typeof import('ioredis');
      this.redis = new Redis(config.redisUrl, {
        // Fail at once while disconnected (memory counters take over) rather than queueing hits.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        connectTimeout: STORE_TIMEOUT_MS,
      });
      // Without a listener ioredis prints every reconnect failure; the state change is logged below.
      this.redis.on('error', (error: Error) => this.markDown(error));
      this.redis.on('ready', () => this.markUp());
    }
  }

  /** Where the shared counters live. */
  get store(): 'redis' | 'postgresql' {
    return this.redis ? 'redis' : 'postgresql';
  }

  onModuleInit(): void {
    this.logger.log(
      this.redis
        ? 'Rate-limit counters: Redis (REDIS_URL), shared by every instance'
        : 'Rate-limit counters: account limits in PostgreSQL (shared); general per-client limit per instance',
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }

  /**
   * Counts one hit of `key` in `bucket` and tells whether it is within `limit` hits per
   * `windowSeconds` (a fixed window, started by the bucket's first hit). Hits past the limit count
   * too. Never throws for a store failure.
   */
  async consume(
    bucket: string,
    key: string,
    limit: number,
    windowSeconds: number,
  ): Promise<LimitResult> {
    const pair = this.pair(bucket, limit, windowSeconds);
    const id = hash('sha256', key, 'base64url');
    const result = await this.hit(pair, id);
    return {
      allowed: result.consumedPoints <= limit,
      hits: result.consumedPoints,
      retryAfterSeconds: Math.max(1, Math.ceil(result.msBeforeNext / 1000)),
    };
  }

  /** `consume`, answering 429 TOO_MANY_REQUESTS (with Retry-After) past the limit. */
  async consumeOrThrow(
    bucket: string,
    key: string,
    limit: number,
    windowSeconds: number,
  ): Promise<void> {
    const result = await this.consume(bucket, key, limit, windowSeconds);
    if (!result.allowed) {
      throw new AppError('TOO_MANY_REQUESTS', undefined, {
        headers: { 'Retry-After': String(result.retryAfterSeconds) },
      });
    }
  }

  private async hit(pair: Pair, id: string): Promise<RateLimiterRes> {
    if (Date.now() >= this.storeDownUntil) {
      try {
        const result = await withTimeout(settle(pair.shared.consume(id)));
        this.markUp();
        return result;
      } catch (error) {
        this.markDown(error as Error);
      }
    }
    return settle(pair.memory.consume(id));
  }

  private markDown(error: Error): void {
    this.storeDownUntil = Date.now() + RETRY_STORE_AFTER_MS;
    if (this.storeDown) return;
    this.storeDown = true;
    this.logger.warn(
      `Shared rate-limit store (${this.store}) unavailable (${error.message}): counting in this instance's memory until it is back; limits hold per instance meanwhile`,
    );
  }

  private markUp(): void {
    this.storeDownUntil = 0;
    if (!this.storeDown) return;
    this.storeDown = false;
    this.logger.log(`Shared rate-limit store (${this.store}) is back: counters are shared again`);
  }

  private pair(bucket: string, limit: number, windowSeconds: number): Pair {
    const name = `${bucket}|${limit}|${windowSeconds}`;
    let pair = this.limiters.get(name);
    if (!pair) {
      const options = { keyPrefix: bucket, points: limit, duration: windowSeconds };
      const shared = this.redis
        ? new RateLimiterRedis({
            ...options,
            keyPrefix: `gatehouse:rl:${bucket}`,
            storeClient: this.redis,
            rejectIfRedisNotReady: true,
          })
        : new RateLimiterPostgres({
            ...options,
            storeClient: (this.dataSource.driver as unknown as { master: unknown }).master,
            storeType: 'pool',
            tableName: TABLE,
            tableCreated: true,
            // One sweeper of expired rows is enough (the first limiter's).
            clearExpiredByTimeout: this.limiters.size === 0,
          });
      pair = { shared, memory: new RateLimiterMemory(options) };
      this.limiters.set(name, pair);
    }
    return pair;
  }
}

/** rate-limiter-flexible rejects with the result when over the limit; store failures stay errors. */
function settle(promise: Promise<RateLimiterRes>): Promise<RateLimiterRes> {
  return promise.catch((reason: unknown) => {
    if (reason instanceof RateLimiterRes) return reason;
    throw reason instanceof Error ? reason : new Error(String(reason));
  });
}

function withTimeout<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new StoreTimeout()), STORE_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
