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

  async increment(
    key: string,
    ttlMs: number,
    limit: number,
    blockDurationMs: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    if (!this.shared.has(throttlerName)) {
      return this.local.increment(key, ttlMs, limit, blockDurationMs, throttlerName);
    }
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
