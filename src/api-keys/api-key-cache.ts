import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import {
  API_KEY_CHANGED_CHANNEL,
  type DatabaseChannel,
  DatabaseEvents,
  type DatabaseEventListener,
} from '../database/database-events.js';
import { ApiKey } from './api-key.entity.js';

/** What authentication needs of a key; never the hash or anything secret. */
export interface KeyForRequest {
  id: string;
  userId: string;
  prefix: string;
  scopes: string[];
  expiresAt: Date | null;
  revokedAt: Date | null;
}

const MAX_ENTRIES = 10_000;
/** Upper bound on staleness should a notification ever be missed while the connection looked fine. */
const TTL_MS = 60_000;

interface Entry {
  key: KeyForRequest;
  storedAt: number;
}

/**
 * Key lookups by hash, without a query per request. A revoked, changed or deleted key (by any instance;
 * deleting a user deletes their keys) arrives through the api_keys trigger's NOTIFY and is evicted, so
 * it is refused on its very next request. Unknown hashes are not cached (a flood of made-up keys cannot
 * push real ones out). Until the notification connection is up and current, every lookup goes to the database.
 */
@Injectable()
export class ApiKeyCache implements DatabaseEventListener {
  private readonly byHash = new Map<string, Entry>();
  private readonly hashById = new Map<string, string>();
  /** Bumped on every eviction; a lookup that raced one does not store what it read. */
  private epoch = 0;

  constructor(
    @InjectRepository(ApiKey) private readonly keys: Repository<ApiKey>,
    private readonly events: DatabaseEvents,
  ) {
    events.subscribe(this);
  }

  /** The key when the cache may answer, without a promise; undefined when only the database can (`get`). */
  peek(hash: string): KeyForRequest | undefined {
    const cached = this.byHash.get(hash);
    if (cached && this.events.current && Date.now() - cached.storedAt < TTL_MS) return cached.key;
    return undefined;
  }

  async get(hash: string): Promise<KeyForRequest | null> {
    const cached = this.peek(hash);
    if (cached !== undefined) return cached;
    const epoch = this.epoch;
    const row = await this.keys.findOne({
      where: { keyHash: hash },
      select: {
        id: true,
        userId: true,
        prefix: true,
        scopes: true,
        expiresAt: true,
        revokedAt: true,
      },
    });
    if (!row) return null;
    const key: KeyForRequest = {
      id: row.id,
      userId: row.userId,
      prefix: row.prefix,
      scopes: row.scopes,
      expiresAt: row.expiresAt,
      revokedAt: row.revokedAt,
    };
    if (epoch === this.epoch && this.events.current) this.store(hash, key);
    return key;
  }

  invalidate(id: string): void {
    this.epoch++;
    const hash = this.hashById.get(id);
    this.hashById.delete(id);
    if (hash !== undefined) this.byHash.delete(hash);
  }

  onEvent(channel: DatabaseChannel, payload: string): void {
    if (channel === API_KEY_CHANGED_CHANNEL) this.invalidate(payload);
  }

  onResync(): void {
    this.epoch++;
    this.byHash.clear();
    this.hashById.clear();
  }

  private store(hash: string, key: KeyForRequest): void {
    if (this.byHash.size >= MAX_ENTRIES) {
      const oldest = this.byHash.keys().next().value;
      if (oldest !== undefined) {
        const evicted = this.byHash.get(oldest);
        this.byHash.delete(oldest);
        if (evicted) this.hashById.delete(evicted.key.id);
      }
    }
    this.byHash.set(hash, { key, storedAt: Date.now() });
    this.hashById.set(key.id, hash);
  }
}
