import type { ExecutionContext } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { SkipThrottle, Throttle, type ThrottlerStorage } from '@nestjs/throttler';
import type { SecurityEventsService } from '../audit/security-events.service.js';
import type { SharedLimiter } from '../limits/shared-limiter.js';
import type { MetricsService } from '../metrics/metrics.service.js';
import { AppError } from './errors/app-error.js';
import {
  AppThrottlerGuard,
  AuthRateLimit,
  RequestThrottleGuard,
  throttlerOptions,
} from './throttling.js';

class PlainController {
  read(): void {}
  @AuthRateLimit()
  login(): void {}
  @SkipThrottle()
  unlimited(): void {}
  @Throttle({ default: { limit: 1, ttl: 60_000 } })
  strict(): void {}
}

@SkipThrottle()
class SkippedController {
  read(): void {}
}

class InheritsSkip extends SkippedController {}

/** The 'auth' bucket is always shared: counted here as the limiter would, per bucket and key. */
function countingLimiter(): SharedLimiter {
  const hits = new Map<string, number>();
  return {
    consume: async (bucket: string, key: string, limit: number, windowSeconds: number) => {
      const count = (hits.get(`${bucket}:${key}`) ?? 0) + 1;
      hits.set(`${bucket}:${key}`, count);
      return { allowed: count <= limit, hits: count, retryAfterSeconds: windowSeconds };
    },
  } as unknown as SharedLimiter;
}

describe('AppThrottlerGuard', () => {
  let guard: AppThrottlerGuard;

  beforeEach(async () => {
    const options = throttlerOptions(
      { limit: 3, windowSeconds: 60, authLimit: 2, apiKeyLimit: 2 },
      countingLimiter(),
    );
    guard = new AppThrottlerGuard(
      options,
      options.storage as ThrottlerStorage,
      { record: async () => undefined } as unknown as SecurityEventsService,
      { throttled: () => undefined } as unknown as MetricsService,
    );
    await guard.onModuleInit();
  });

  const request = (ip: string, headers: Record<string, string> = {}) => ({
    ip,
    headers,
    url: '/x',
  });
  const contextOf = (
    controller: Function,
    handler: string,
    ip = '192.0.2.1',
    headers: Record<string, string> = {},
  ): ExecutionContext =>
    new ExecutionContextHost(
      [request(ip, headers), { header: () => undefined }],
      controller as never,
      (controller.prototype as Record<string, Function>)[handler],
    );
  /** The status each of `times` requests gets: 200 when the guard lets it through, 429 when refused. */
  const statuses = async (context: () => ExecutionContext, times: number) => {
    const seen: number[] = [];
    for (let i = 0; i < times; i++) {
      seen.push(
        await guard.canActivate(context()).then(
          (allowed) => (allowed ? 200 : 403),
          (error: unknown) => (error instanceof AppError ? error.status : 500),
        ),
      );
    }
    return seen;
  };

  it('limits a plain route per client to the general limit', async () => {
    expect(await statuses(() => contextOf(PlainController, 'read'), 4)).toEqual([
      200, 200, 200, 429,
    ]);
    // Another client has a bucket of its own.
    expect(await statuses(() => contextOf(PlainController, 'read', '192.0.2.2'), 1)).toEqual([200]);
  });

  it('counts an auth route in the auth bucket too', async () => {
    expect(await statuses(() => contextOf(PlainController, 'login'), 3)).toEqual([200, 200, 429]);
  });

  it('counts each X-API-Key in a bucket of its own, wherever it comes from', async () => {
    let ip = 10;
    const withKey = () =>
      contextOf(PlainController, 'read', `192.0.2.${ip++}`, { 'x-api-key': 'gh_some-key' });
    expect(await statuses(withKey, 3)).toEqual([200, 200, 429]);
  });

  it('leaves a subclass that overrides one of the library’s steps to the library’s path', async () => {
    class SkipsEverything extends AppThrottlerGuard {
      protected override async shouldSkip(): Promise<boolean> {
        return true;
      }
    }
    const options = throttlerOptions(
      { limit: 1, windowSeconds: 60, authLimit: 1, apiKeyLimit: 1 },
      countingLimiter(),
    );
    const skipping = new SkipsEverything(
      options,
      options.storage as ThrottlerStorage,
      { record: async () => undefined } as unknown as SecurityEventsService,
      { throttled: () => undefined } as unknown as MetricsService,
    );
    await skipping.onModuleInit();
    for (let i = 0; i < 3; i++) {
      expect(await skipping.canActivate(contextOf(PlainController, 'read'))).toBe(true);
    }
  });

  it('honours the library’s decorators on the routes that carry them', async () => {
    expect(await statuses(() => contextOf(PlainController, 'unlimited'), 5)).toEqual([
      200, 200, 200, 200, 200,
    ]);
    expect(await statuses(() => contextOf(SkippedController, 'read'), 5)).toEqual([
      200, 200, 200, 200, 200,
    ]);
    // Inherited from a decorated base class: still the library's path.
    expect(await statuses(() => contextOf(InheritsSkip, 'read'), 5)).toEqual([
      200, 200, 200, 200, 200,
    ]);
    expect(await statuses(() => contextOf(PlainController, 'strict', '192.0.2.3'), 2)).toEqual([
      200, 429,
    ]);
  });

  it('answers at once what memory counted, and later what the shared limiter or a refusal decides', async () => {
    const global = new RequestThrottleGuard(guard);
    const read = () => contextOf(PlainController, 'read', '192.0.2.9');
    // The general limit is 3: three answers without a promise, then a refusal (429).
    expect([global.canActivate(read()), global.canActivate(read()), guard.check(read())]).toEqual([
      true,
      true,
      true,
    ]);
    const refused = global.canActivate(read());
    expect(refused).toBeInstanceOf(Promise);
    await expect(refused).rejects.toMatchObject({ status: 429 });
    // An auth route's bucket is always shared: counted through the limiter, so a promise.
    const login = global.canActivate(contextOf(PlainController, 'login', '192.0.2.10'));
    expect(login).toBeInstanceOf(Promise);
    await expect(login).resolves.toBe(true);
  });
});
