import { hash } from 'node:crypto';
import { type CanActivate, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  normalizeIp,
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerModuleOptions,
  type ThrottlerOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import { SecurityEventsService } from '../audit/security-events.service.js';
import { MetricsService } from '../metrics/metrics.service.js';
import type { SharedLimiter } from '../limits/shared-limiter.js';
import { SharedThrottlerStorage } from '../limits/shared-throttler.storage.js';
import type { ThrottleConfig } from '../config/throttle.config.js';
import { API_KEY_HEADER } from '../access/api-key.decorator.js';
import { AppError } from './errors/app-error.js';
import { loggablePath } from '../http/request-log.js';
import { type ClientRequestLike, clientOf } from './http/client-info.js';

const AUTH_RATE_LIMITED = 'gatehouse:authRateLimited';

/**
 * Route metadata for the throttlers' skip rules and the library's full path. Undecorated routes (all of
 * ours) skip the library's per-request metadata reads altogether (AppThrottlerGuard.canActivate).
 */
const routeMetadata = new Reflector();

/** The route counts towards the stricter per-client limit shared by login, token, register and 2FA. */
export const AuthRateLimit = () => SetMetadata(AUTH_RATE_LIMITED, true);

/** Per handler: decorators run when classes are defined, so the answer never changes after the first read. */
const authRateLimitedHandlers = new WeakMap<object, boolean>();

function isAuthRateLimited(handler: object): boolean {
  let limited = authRateLimitedHandlers.get(handler);
  if (limited === undefined) {
    limited = (routeMetadata.get(AUTH_RATE_LIMITED, handler as never) as unknown) === true;
    authRateLimitedHandlers.set(handler, limited);
  }
  return limited;
}

function apiKeyOf(request: { headers?: Record<string, unknown> }): string | undefined {
  const value = request.headers?.[API_KEY_HEADER];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Per client (its address, as the HTTP adapter sees it: `X-Forwarded-For` counts only with TRUST_PROXY),
 * one bucket across all routes ('default') and one across the auth routes ('auth'). Requests with an
 * `X-API-Key` also count per key ('api_key'), wherever they come from. That bucket is named by the
 * header's value before any check (kept as a SHA-256 of it, so no key sits in the limiter's memory): a
 * made-up key gets a bucket of its own, but still counts against its client's 'default' bucket.
 *
 * Where they count (docs/rate-limits.md): 'auth' always through the SharedLimiter, so it holds across
 * replicas exactly (PostgreSQL, or Redis with REDIS_URL); 'default' and 'api_key' in Redis with
 * REDIS_URL, otherwise in each instance's memory (no database round trip on the hot path).
 */
export function throttlerOptions(
  config: ThrottleConfig,
  limiter: SharedLimiter,
): Exclude<ThrottlerModuleOptions, ThrottlerOptions[]> {
  const shared = new Set(config.redisUrl ? ['default', 'auth', 'api_key'] : ['auth']);
  return {
    throttlers: [
      { name: 'default', limit: config.limit, ttl: config.windowSeconds * 1000 },
      {
        name: 'auth',
        limit: config.authLimit,
        ttl: 60_000,
        skipIf: (context) => !isAuthRateLimited(context.getHandler()),
      },
      {
        name: 'api_key',
        limit: config.apiKeyLimit,
        ttl: 60_000,
        // The request as argument 0: switchToHttp() would build a new object on every request.
        skipIf: (context) => apiKeyOf(context.getArgByIndex(0)) === undefined,
        getTracker: (request) => hash('sha256', apiKeyOf(request) ?? '', 'base64url'),
      },
    ],
    // One bucket per client across all routes (the library's default key is per route).
    generateKey: (_context, tracker) => tracker,
    storage: new SharedThrottlerStorage(limiter, shared),
    setHeaders: false,
  };
}

/** Past this many remembered clients, the memory of who was already recorded starts afresh. */
const RECORDED_CLIENTS_MAX = 10_000;

/** What every metadata key of @nestjs/throttler's decorators (@Throttle, @SkipThrottle...) begins with. */
const LIBRARY_METADATA_PREFIX = 'THROTTLER:';

function carriesThrottlerMetadata(target: object): boolean {
  return Reflect.getMetadataKeys(target).some(
    (key) => typeof key === 'string' && key.startsWith(LIBRARY_METADATA_PREFIX),
  );
}

type ThrottledRequest = Record<string, unknown> & { ip?: string };

/** A throttler as the fast path counts it: fixed numbers, the library's steps resolved once. */
interface StaticThrottler {
  name: string;
  limit: number;
  ttl: number;
  blockDuration: number;
  skipIf?: (context: ExecutionContext) => boolean;
  /** Absent: the library's own tracker, the client's address (normalizeIp). */
  getTracker?: (request: ThrottledRequest, context: ExecutionContext) => string | Promise<string>;
  generateKey: (context: ExecutionContext, tracker: string, name: string) => string;
}

/**
 * Answers 429 as problem details with a plain `Retry-After` (seconds), whichever limit was hit.
 * Every refusal is counted in the metrics; on auth routes the first refusal of a client per window is
 * also recorded as a `rate_limit.exceeded` security event (one per window, so a flood of refused
 * requests cannot flood the audit log).
 */
@Injectable()
export class AppThrottlerGuard extends ThrottlerGuard {
  private readonly recorded = new Map<string, number>();

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    private readonly events: SecurityEventsService,
    private readonly metrics: MetricsService,
  ) {
    super(options, storage, routeMetadata);
  }

  /** The throttlers as the fast path counts them; undefined when it cannot (see onModuleInit). */
  private staticThrottlers?: StaticThrottler[];

  /**
   * The fast path takes over the library's `handleRequest` for routes without its decorators. It can
   * when every throttler has fixed numbers, no header is to be set on responses and no user agent is
   * exempt (our configuration); otherwise every route takes the library's full path.
   */
  override async onModuleInit(): Promise<void> {
    await super.onModuleInit();
    const isCount = (value: unknown): value is number =>
      typeof value === 'number' && Number.isFinite(value);
    const common = this.commonOptions;
    const ownTracker = (this.options as ThrottlerModuleOptions & { getTracker?: unknown })
      .getTracker;
    // The fast path does these steps itself: a subclass that overrides one takes the library's path.
    const ownSteps = (['shouldSkip', 'getTracker', 'generateKey', 'handleRequest'] as const).every(
      (step) => this[step] === ThrottlerGuard.prototype[step],
    );
    const eligible =
      ownSteps &&
      this.throttlers.every(
        (throttler) =>
          isCount(throttler.limit) &&
          isCount(throttler.ttl) &&
          (throttler.blockDuration === undefined || isCount(throttler.blockDuration)) &&
          (throttler.setHeaders ?? common.setHeaders) === false &&
          (throttler.ignoreUserAgents ?? common.ignoreUserAgents) === undefined,
      );
    this.staticThrottlers = eligible
      ? this.throttlers.map((throttler) => ({
          name: throttler.name ?? 'default',
          limit: throttler.limit as number,
          ttl: throttler.ttl as number,
          blockDuration: (throttler.blockDuration ?? throttler.ttl) as number,
          skipIf: throttler.skipIf ?? common.skipIf,
          getTracker:
            throttler.getTracker ?? (ownTracker === undefined ? undefined : common.getTracker),
          generateKey: (throttler.generateKey ?? common.generateKey)!,
        }))
      : undefined;
  }

  /** The library's entry point, for its contract (a promise): what `check` answers. */
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    return this.check(context);
  }

  /**
   * What the global guard runs (RequestThrottleGuard). A route that carries none of the library's
   * decorators is limited by the configured throttlers as they are, so it skips the library's
   * per-request reading of 30 metadata keys and its awaits: the counting and the 429 of the library's
   * `handleRequest`, done here. `true` at once when every bucket was counted in this instance's memory
   * (every limit but 'auth' without Redis); a promise from the first bucket that needs the shared
   * limiter, an asynchronous tracker, or a refusal. Routes with a @Throttle()/@SkipThrottle() (none
   * today) take the library's full path.
   */
  check(context: ExecutionContext): boolean | Promise<boolean> {
    const throttlers = this.staticThrottlers;
    if (!throttlers || !this.isPlainRoute(context.getHandler(), context.getClass())) {
      return super.canActivate(context);
    }
    const request = context.getArgByIndex<ThrottledRequest>(0);
    const storage = this.storageService;
    for (let index = 0; index < throttlers.length; index++) {
      const { name, limit, ttl, skipIf, generateKey } = throttlers[index];
      if (skipIf?.(context)) continue;
      const tracker = this.trackerOf(throttlers[index], request, context);
      if (typeof tracker !== 'string') return this.countFrom(index, context, request, tracker);
      const key = generateKey(context, tracker, name);
      const record =
        storage instanceof SharedThrottlerStorage
          ? storage.countInMemory(key, ttl, limit, name)
          : undefined;
      // Not counted yet: the bucket is counted where it can wait (the shared limiter).
      if (!record) return this.countFrom(index, context, request, tracker);
      if (record.isBlocked) {
        return this.throwThrottlingException(context, { limit, ttl, key, tracker, ...record }).then(
          () => this.countFrom(index + 1, context, request),
        );
      }
    }
    return true;
  }

  /** The buckets from `start` on, each awaited as needed; `tracker` is bucket `start`'s, if known. */
  private async countFrom(
    start: number,
    context: ExecutionContext,
    request: ThrottledRequest,
    tracker?: string | Promise<string>,
  ): Promise<boolean> {
    const throttlers = this.staticThrottlers!;
    const storage = this.storageService;
    for (let index = start; index < throttlers.length; index++) {
      const throttler = throttlers[index];
      const { name, limit, ttl, blockDuration, skipIf, generateKey } = throttler;
      const known = index === start ? tracker : undefined;
      if (known === undefined && skipIf?.(context)) continue;
      const resolved = await (known ?? this.trackerOf(throttler, request, context));
      const key = generateKey(context, resolved, name);
      const record = await storage.increment(key, ttl, limit, blockDuration, name);
      if (record.isBlocked) {
        await this.throwThrottlingException(context, {
          limit,
          ttl,
          key,
          tracker: resolved,
          ...record,
        });
      }
    }
    return true;
  }

  private trackerOf(
    throttler: StaticThrottler,
    request: ThrottledRequest,
    context: ExecutionContext,
  ): string | Promise<string> {
    return throttler.getTracker
      ? throttler.getTracker(request, context)
      : normalizeIp(request.ip as string, this.ipv6SubnetPrefix);
  }

  /** Per handler and per controller (a handler may be inherited by several controllers). */
  private readonly plainTargets = new WeakMap<object, boolean>();

  private isPlainRoute(handler: object, controller: object): boolean {
    return this.isPlainTarget(handler) && this.isPlainTarget(controller);
  }

  private isPlainTarget(target: object): boolean {
    let plain = this.plainTargets.get(target);
    if (plain === undefined)
      this.plainTargets.set(target, (plain = !carriesThrottlerMetadata(target)));
    return plain;
  }

  protected override async throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const authRoute = this.reflector.get<boolean>(AUTH_RATE_LIMITED, context.getHandler()) === true;
    this.metrics.throttled(authRoute ? 'auth' : 'other');
    if (authRoute) await this.recordFirstRefusal(context, detail);
    throw new AppError('TOO_MANY_REQUESTS', undefined, {
      headers: { 'Retry-After': String(Math.max(1, Math.ceil(detail.timeToBlockExpire))) },
    });
  }

  private async recordFirstRefusal(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const now = Date.now();
    if ((this.recorded.get(detail.key) ?? 0) > now) return;
    if (this.recorded.size >= RECORDED_CLIENTS_MAX) this.recorded.clear();
    this.recorded.set(detail.key, now + detail.ttl);
    const request = context.switchToHttp().getRequest<ClientRequestLike & { url?: string }>();
    const { ip, userAgent } = clientOf(request);
    await this.events.record({
      type: 'rate_limit.exceeded',
      ip,
      userAgent,
      // The same path the request log shows: no query string, long opaque segments masked.
      details: { route: loggablePath(request.url).slice(0, 200), limit: detail.limit },
    });
  }
}

/**
 * The global guard in front of AppThrottlerGuard. Nest takes a guard's `true` as it is and awaits a
 * promise once more; the library types `canActivate` as a promise, so this guard hands on `check`'s
 * answer instead: `true` at once for a request whose buckets were counted in memory.
 */
@Injectable()
export class RequestThrottleGuard implements CanActivate {
  constructor(private readonly throttler: AppThrottlerGuard) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    return this.throttler.check(context);
  }
}
