import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, type Repository } from 'typeorm';
import { SecurityEventsService } from '../audit/security-events.service.js';
import { type ActorId, CLI_ACTOR } from '../common/actor.js';
import { AppError } from '../common/errors/app-error.js';
import type { Principal } from '../access/principal.js';
import { effectivePermissions } from '../access/roles.js';
import { isUuid } from '../common/uuid.js';
import type { User } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { ApiKeyCache, type KeyForRequest } from './api-key-cache.js';
import { generateApiKey, hashApiKey, isWellFormedApiKey } from './api-key-secret.js';
import { ApiKey } from './api-key.entity.js';

export interface NewApiKey {
  name: string;
  scopes: string[];
  expiresAt: Date | null;
}

/** Where a request came from, for the security events it causes. */
export interface KeyClient {
  ip?: string;
  userAgent?: string;
}

/** Active (not revoked, not expired) keys a user may hold (docs/security.md). */
export const MAX_API_KEYS_PER_USER = 25;

/** How often `last_used_at` is written per key, at most. */
export const LAST_USED_INTERVAL_MS = 60_000;
const MAX_TRACKED_KEYS = 10_000;

/** Neither revoked nor expired. */
function isUsable(key: KeyForRequest): boolean {
  return key.revokedAt === null && (key.expiresAt === null || key.expiresAt.getTime() > Date.now());
}

@Injectable()
export class ApiKeysService {
  private readonly logger = new Logger(ApiKeysService.name);
  /** key id -> when this instance last wrote its `last_used_at` (ms) */
  private readonly lastTouched = new Map<string, number>();

  constructor(
    @InjectRepository(ApiKey) private readonly keys: Repository<ApiKey>,
    private readonly cache: ApiKeyCache,
    private readonly usersService: UsersService,
    private readonly events: SecurityEventsService,
  ) {}

  /**
   * Creates a key for the caller. Its scopes must be a subset of what the caller's own credential
   * carries right now (a token narrowed to `read:items` cannot mint a key with more), else 403.
   * Returns the key string, which is never available again.
   */
  async create(
    principal: Principal,
    input: NewApiKey,
    client: KeyClient = {},
  ): Promise<{ apiKey: ApiKey; key: string }> {
    const notHeld = input.scopes.filter((scope) => !principal.scopes.includes(scope));
    if (notHeld.length > 0) {
      throw new AppError(
        'FORBIDDEN',
        `A key cannot carry a scope you do not hold: ${notHeld.join(', ')}.`,
      );
    }
    const secret = generateApiKey();
    const id = await this.keys.manager.transaction(async (manager) => {
      // One creation at a time per user, so concurrent requests cannot pass the cap together.
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
        `api_keys:${principal.user.id}`,
      ]);
      const active = await manager
        .createQueryBuilder(ApiKey, 'key')
        .where('key.userId = :userId AND key.revokedAt IS NULL', { userId: principal.user.id })
        .andWhere('(key.expiresAt IS NULL OR key.expiresAt > now())')
        .getCount();
      if (active >= MAX_API_KEYS_PER_USER) {
        throw new AppError(
          'API_KEY_LIMIT_REACHED',
          `You have ${MAX_API_KEYS_PER_USER} active API keys, the most allowed; revoke one first.`,
        );
      }
      const result = await manager.insert(ApiKey, {
        userId: principal.user.id,
        name: input.name,
        prefix: secret.prefix,
        keyHash: secret.hash,
        scopes: input.scopes,
        expiresAt: input.expiresAt,
      });
      return result.identifiers[0].id as string;
    });
    const apiKey = await this.keys.findOneByOrFail({ id });
    await this.events.record({
      type: 'api_key.created',
      userId: principal.user.id,
      sessionId: principal.sessionId,
      ...client,
      details: { key_id: id, prefix: apiKey.prefix, scopes: apiKey.scopes.join(' ') },
    });
    return { apiKey, key: secret.key };
  }

  /** The user's keys that still exist (revoked ones are gone from this list), newest first. */
  listOwn(userId: string): Promise<ApiKey[]> {
    return this.keys.find({
      where: { userId, revokedAt: IsNull() },
      order: { createdAt: 'DESC', id: 'ASC' },
    });
  }

  /** Every key, revoked ones included, optionally of one user: for holders of manage:api_keys. */
  async listAll(query: {
    userId?: string;
    page: number;
    limit: number;
  }): Promise<{ items: ApiKey[]; total: number }> {
    const [items, total] = await this.keys.findAndCount({
      where: query.userId ? { userId: query.userId } : {},
      order: { createdAt: 'DESC', id: 'ASC' },
      skip: (query.page - 1) * query.limit,
      take: query.limit,
    });
    return { items, total };
  }

  /**
   * Revokes one of the caller's keys, or anyone's for a holder of manage:api_keys. False when there is
   * no such key for this caller (another user's key, an unknown or an already revoked one): a 404.
   * One conditional UPDATE decides, so two revocations racing cannot both report success.
   */
  async revoke(principal: Principal, id: string, client: KeyClient = {}): Promise<boolean> {
    const canManage = principal.scopes.includes('manage:api_keys');
    if (canManage) {
      // Another user's key: the rank rule of every admin action on another user applies.
      const owner = await this.keys.findOne({ where: { id }, select: { userId: true } });
      if (owner && owner.userId !== principal.user.id) {
        await this.usersService.checkCanManageUser(
          principal.user.id,
          owner.userId,
          'manage:api_keys',
        );
      }
    }
    return this.revokeAs(id, principal.user.id, canManage, {
      sessionId: principal.sessionId,
      ...client,
    });
  }

  /** The operator at the `gatehouse` CLI revokes any key (recorded with actor `cli`). */
  revokeByOperator(id: string): Promise<boolean> {
    return this.revokeAs(id, CLI_ACTOR, true, {});
  }

  private async revokeAs(
    id: string,
    actorId: ActorId,
    canManage: boolean,
    context: KeyClient & { sessionId?: string },
  ): Promise<boolean> {
    if (!isUuid(id)) return false;
    const [rows] = (await this.keys.query(
      `UPDATE api_keys SET revoked_at = now()
       WHERE id = $1 AND revoked_at IS NULL AND (user_id::text = $2 OR $3)
       RETURNING user_id, prefix`,
      [id, actorId, canManage],
    )) as [Array<{ user_id: string; prefix: string }>, number];
    const revoked = rows[0];
    // Every instance hears of it through the trigger; this one forgets it before answering.
    this.cache.invalidate(id);
    if (!revoked) return false;
    await this.events.record({
      type: 'api_key.revoked',
      userId: revoked.user_id,
      actorId: revoked.user_id === actorId ? null : actorId,
      ...context,
      details: { key_id: id, prefix: revoked.prefix },
    });
    return true;
  }

  /**
   * The principal behind an `X-API-Key`, or null for any key that must be refused (malformed, unknown,
   * revoked, expired, or its owner disabled or deleted): callers answer all of them the same way.
   * Scopes are the key's scopes capped by the owner's permissions as they are now.
   * On a warm cache this costs no query; `last_used_at` is written at most once a minute per key.
   */
  authenticate(candidate: string): Principal | null | Promise<Principal | null> {
    if (!isWellFormedApiKey(candidate)) return null;
    const hash = hashApiKey(candidate);
    // The usual request: key and owner in memory, its use recorded less than a minute ago. No promise.
    const key = this.cache.peek(hash);
    const user = key ? this.usersService.findForRequestInMemory(key.userId) : undefined;
    if (key === undefined || user === undefined || this.touchIsDue(key.id)) {
      return this.authenticateFromDatabase(hash);
    }
    return this.principalOf(key, user);
  }

  private async authenticateFromDatabase(hash: string): Promise<Principal | null> {
    const key = await this.cache.get(hash);
    if (!key || !isUsable(key)) return null;
    const user = await this.usersService.findForRequest(key.userId);
    const principal = this.principalOf(key, user);
    if (principal) await this.touch(key.id);
    return principal;
  }

  private principalOf(key: KeyForRequest, user: User | null): Principal | null {
    if (!isUsable(key) || !user?.isActive) return null;
    const permissions: readonly string[] = effectivePermissions(user.roles, user.permissions);
    const scopes = key.scopes.filter((scope) => permissions.includes(scope));
    return { user, via: 'api_key', scopes, apiKeyId: key.id };
  }

  private touchIsDue(id: string): boolean {
    const last = this.lastTouched.get(id);
    return last === undefined || Date.now() - last >= LAST_USED_INTERVAL_MS;
  }

  /**
   * Records use without a write per request: at most once a minute per key from this instance, and
   * the conditional UPDATE keeps several instances from all writing in the same minute. A failed
   * write is logged, never a reason to refuse the request.
   */
  private async touch(id: string): Promise<void> {
    const now = Date.now();
    if (!this.touchIsDue(id)) return;
    this.lastTouched.delete(id);
    if (this.lastTouched.size >= MAX_TRACKED_KEYS) {
      const oldest = this.lastTouched.keys().next().value;
      if (oldest !== undefined) this.lastTouched.delete(oldest);
    }
    this.lastTouched.set(id, now);
    try {
      await this.keys.query(
        `UPDATE api_keys SET last_used_at = now()
         WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => $2))`,
        [id, LAST_USED_INTERVAL_MS / 1000 - 1],
      );
    } catch (error) {
      this.logger.warn(`could not record the use of API key ${id}: ${(error as Error).message}`);
    }
  }
}
