import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import {
  type DatabaseChannel,
  DatabaseEvents,
  type DatabaseEventListener,
  OAUTH_CLIENT_CHANGED_CHANNEL,
} from '../database/database-events.js';
import { OAuthClient } from './oauth-client.entity.js';

/** What a request needs of a client; never the secret hash. */
export interface ClientForRequest {
  id: string;
  name: string;
  scopes: string[];
}

const MAX_ENTRIES = 10_000;

/**
 * Client lookups by id without a query per request. A changed or deleted client (by any instance)
 * arrives through the oauth_clients trigger's NOTIFY and is evicted, so its tokens are refused on their
 * very next request everywhere. Unknown ids are not cached. While the notification connection is down
 * every lookup goes to the database.
 */
@Injectable()
export class OAuthClientCache implements DatabaseEventListener {
  private readonly byId = new Map<string, ClientForRequest>();
  /** Bumped on every eviction; a lookup that raced one does not store what it read. */
  private epoch = 0;

  constructor(
    @InjectRepository(OAuthClient) private readonly clients: Repository<OAuthClient>,
    private readonly events: DatabaseEvents,
  ) {
    events.subscribe(this);
  }

  async get(id: string): Promise<ClientForRequest | null> {
    const cached = this.byId.get(id);
    if (cached && this.events.connected) return cached;
    const epoch = this.epoch;
    const client = await this.read(id);
    if (client && epoch === this.epoch && this.events.connected) {
      if (this.byId.size >= MAX_ENTRIES) this.byId.clear();
      this.byId.set(id, client);
    }
    return client;
  }

  /** Straight from the database, whatever the cache holds (introspection). */
  async read(id: string): Promise<ClientForRequest | null> {
    const row = await this.clients.findOne({
      where: { id },
      select: { id: true, name: true, scopes: true },
    });
    return row && { id: row.id, name: row.name, scopes: row.scopes };
  }

  invalidate(id: string): void {
    this.epoch++;
    this.byId.delete(id);
  }

  onEvent(channel: DatabaseChannel, payload: string): void {
    if (channel === OAUTH_CLIENT_CHANGED_CHANNEL) this.invalidate(payload);
  }

  onResync(): void {
    this.epoch++;
    this.byId.clear();
  }
}
