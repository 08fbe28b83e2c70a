import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import pg from 'pg';
import { databaseConfig, type DatabaseConfig } from '../config/database.config.js';

/** Channels filled by triggers (see migrations), so no code path can change a row and forget to tell. */
export const USER_CHANGED_CHANNEL = 'gatehouse_user_changed';
export const SESSION_REVOKED_CHANNEL = 'gatehouse_session_revoked';
/** An API key was revoked or deleted (payload: its id). */
export const API_KEY_CHANGED_CHANNEL = 'gatehouse_api_key_changed';
/** A signing key was created or deleted (payload: its kid). */
export const SIGNING_KEYS_CHANGED_CHANNEL = 'gatehouse_signing_keys_changed';
/** An OAuth client was changed or deleted (payload: its id). */
export const OAUTH_CLIENT_CHANGED_CHANNEL = 'gatehouse_oauth_client_changed';
const CHANNELS = [
  USER_CHANGED_CHANNEL,
  SESSION_REVOKED_CHANNEL,
  API_KEY_CHANGED_CHANNEL,
  SIGNING_KEYS_CHANGED_CHANNEL,
  OAUTH_CLIENT_CHANGED_CHANNEL,
] as const;
export type DatabaseChannel = (typeof CHANNELS)[number];

export interface DatabaseEventListener {
  /** A payload arrived on a channel (a row id). */
  onEvent(channel: DatabaseChannel, payload: string): void;
  /**
   * Called when the listening connection is lost (derived state may go stale from now on: drop it) and
   * again once it is back and listening (anything may have happened meanwhile: reload). The events
   * become `current` only after every listener's reload has finished; a reload that throws drops the
   * connection and a new one is tried.
   */
  onResync(): void | Promise<void>;
}

const RECONNECT_DELAY_MS = 500;
/** While the database stays unreachable, one warning this often, not one per attempt. */
const WARN_INTERVAL_MS = 30_000;

/**
 * One LISTEN connection per instance, shared by the in-memory caches that must hear about changes made
 * by any instance (user cache, revoked sessions, API keys). PostgreSQL delivers NOTIFY at commit, so every
 * instance hears of a change within milliseconds.
 */
@Injectable()
export class DatabaseEvents implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(DatabaseEvents.name);
  private readonly listeners = new Set<DatabaseEventListener>();
  private client?: pg.Client;
  private stopped = false;
  private reconnectTimer?: NodeJS.Timeout;
  /** True once listeners have reloaded after the current connection was established. */
  private synced = false;
  /** Losses and failed attempts since the connection was last up. */
  private failures = 0;
  /** When the last warning of the current outage was logged. */
  private warnedAt?: number;

  constructor(@Inject(databaseConfig.KEY) private readonly config: DatabaseConfig) {}

  /** The LISTEN connection is up: events from now on will arrive (reloads may still be running). */
  get connected(): boolean {
    return this.client !== undefined;
  }

  /**
   * The LISTEN connection is up and every listener has reloaded since it came back: state derived from
   * events is current, and only then may a cache answer instead of the database. False during the gap
   * and during the reload after a reconnect (issue 13: a token logged out in the gap was accepted while
   * the reload ran).
   */
  get current(): boolean {
    return this.client !== undefined && this.synced;
  }

  subscribe(listener: DatabaseEventListener): void {
    this.listeners.add(listener);
  }

  async onModuleInit(): Promise<void> {
    await this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    await this.client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.config.url,
      application_name: 'gatehouse-listener',
    });
    client.on('notification', (message) => {
      if (!message.payload) return;
      for (const listener of this.listeners)
        listener.onEvent(message.channel as DatabaseChannel, message.payload);
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      for (const channel of CHANNELS) await client.query(`LISTEN ${channel}`);
    } catch (error) {
      this.lost(client, error);
      return;
    }
    this.client = client;
    this.synced = false;
    if (this.failures > 0) {
      this.logger.log(`database event connection back after ${this.failures} failed attempt(s)`);
      this.failures = 0;
      this.warnedAt = undefined;
    }
    try {
      await Promise.all([...this.listeners].map((listener) => listener.onResync()));
    } catch (error) {
      this.lost(client, error);
      return;
    }
    // Lost again while reloading: the reload proves nothing about the new gap.
    if (this.client === client) this.synced = true;
  }

  private lost(client: pg.Client, error?: unknown): void {
    if (this.stopped || (this.client !== client && this.client !== undefined)) return;
    this.client = undefined;
    this.synced = false;
    client.removeAllListeners();
    client.on('error', () => undefined);
    void client.end().catch(() => undefined);
    // Until the connection is back, derived state may be stale: drop it now rather than later.
    for (const listener of this.listeners) void listener.onResync();
    const now = Date.now();
    if (error && (this.warnedAt === undefined || now - this.warnedAt >= WARN_INTERVAL_MS)) {
      const retrying =
        this.warnedAt === undefined ? '' : ` (still retrying: ${this.failures} attempts so far)`;
      this.logger.warn(
        `database event connection lost: ${(error as Error).message ?? error}${retrying}`,
      );
      this.warnedAt = now;
    }
    this.failures++;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => void this.connect(), RECONNECT_DELAY_MS);
  }
}
