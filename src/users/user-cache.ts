import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import {
  type DatabaseChannel,
  DatabaseEvents,
  type DatabaseEventListener,
  USER_CHANGED_CHANNEL,
} from '../database/database-events.js';
import { User } from './user.entity.js';

const MAX_ENTRIES = 10_000;
/** Upper bound on staleness should a notification ever be missed while the connection looked fine. */
const TTL_MS = 60_000;

interface Entry {
  user: User | null;
  storedAt: number;
}

/**
 * Users as authentication needs them on every request, without a query per request. Any change to a
 * users row (by any instance) arrives through a trigger's NOTIFY and evicts the entry, so a role change,
 * a permission change, disabling or deleting a user takes effect on that user's very next request.
 * While the notification connection is down, and until it is back and current, every lookup goes to
 * the database.
 */
@Injectable()
export class UserCache implements DatabaseEventListener {
  private readonly entries = new Map<string, Entry>();
  /** Bumped on every eviction; a lookup that raced one does not store what it read. */
  private epoch = 0;

  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly events: DatabaseEvents,
  ) {
    events.subscribe(this);
  }

  async get(id: string): Promise<User | null> {
    const cached = this.peek(id);
    if (cached !== undefined) return cached;
    const epoch = this.epoch;
    const user = await this.users.findOneBy({ id });
    if (epoch === this.epoch && this.events.current) this.store(id, user);
    return user;
  }

  /**
   * The user when the cache may answer, without a promise (null: no such user, remembered as such);
   * undefined when only the database can (`get` asks it).
   */
  peek(id: string): User | null | undefined {
    const cached = this.entries.get(id);
    if (cached && this.events.current && Date.now() - cached.storedAt < TTL_MS) return cached.user;
    return undefined;
  }

  invalidate(id: string): void {
    this.epoch++;
    this.entries.delete(id);
  }

  onEvent(channel: DatabaseChannel, payload: string): void {
    if (channel === USER_CHANGED_CHANNEL) this.invalidate(payload);
  }

  onResync(): void {
    this.epoch++;
    this.entries.clear();
  }

  private store(id: string, user: User | null): void {
    if (this.entries.size >= MAX_ENTRIES) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(id, { user, storedAt: Date.now() });
  }
}
