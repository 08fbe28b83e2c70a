import type { ThrottlerStorage } from '@nestjs/throttler';
import { FixedWindowThrottlerStorage } from '../common/fixed-window-throttler.storage.js';
import type { SharedLimiter } from './shared-limiter.js';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * @nestjs/throttler's storage: the named throttlers in `shared` count through the SharedLimiter
 * (PostgreSQL or Redis, the same for every instance); the others in this instance's memory, so they
 * cost no round trip.
 */
export class SharedThrottlerStorage implements ThrottlerStorage {
  private readonly local = new FixedWindowThrottlerStorage();

  constructor(
    private readonly limiter: SharedLimiter,
    private readonly shared: ReadonlySet<string>,
  ) {}

  /**
   * The count for a throttler kept in this instance's memory, answered without a promise; undefined
   * for a shared one, which only `increment` can count.
   */
  countInMemory(
    key: string,
    ttlMs: number,
    limit: number,
    throttlerName: string,
  ): ThrottlerStorageRecord | undefined {
    if (this.shared.has(throttlerName)) return undefined;
    return this.local.count(key, ttlMs, limit, throttlerName);
  }

  async increment(
    key: string,
    ttlMs: number,
    limit: number,
    _blockDurationMs: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const inMemory = this.countInMemory(key, ttlMs, limit, throttlerName);
    if (inMemory) return inMemory;
    const windowSeconds = Math.max(1, Math.ceil(ttlMs / 1000));
    const result = await this.limiter.consume(
      `throttle:${throttlerName}`,
      key,
      limit,
      windowSeconds,
    );
    return {
      totalHits: result.hits,
      timeToExpire: result.retryAfterSeconds,
      isBlocked: !result.allowed,
      timeToBlockExpire: result.allowed ? 0 : result.retryAfterSeconds,
    };
  }
}
