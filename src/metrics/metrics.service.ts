import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { SecurityEventType } from '../audit/security-event.entity.js';

/** The pg pool behind TypeORM's postgres driver (the counts pg.Pool keeps). */
interface PoolCounts {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/** Which sessions-ending event counts as what kind of revocation. */
const REVOCATION_REASON: Partial<Record<SecurityEventType, string>> = {
  logout: 'logout',
  'session.revoked': 'session',
  'sessions.revoked': 'all_sessions',
  'refresh_token.reused': 'reuse',
};

/**
 * Prometheus metrics of this instance, in a registry of its own (not prom-client's global one, so two
 * apps in one process never clash). Security counters are fed by SecurityEventsService.record(), so
 * every recorded event counts, even when writing it to the database failed; the rest is counted where
 * it happens (HTTP hooks, the throttler guard, the API-key strategy through apiKeyUsed()).
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'gatehouse_http_request_duration_seconds',
    help: 'HTTP request duration by method, route template and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  private readonly logins = new Counter({
    name: 'gatehouse_logins_total',
    help: 'Password logins by outcome (success, failure) and failure reason',
    labelNames: ['outcome', 'reason'] as const,
    registers: [this.registry],
  });
  private readonly lockouts = new Counter({
    name: 'gatehouse_account_lockouts_total',
    help: 'Accounts locked after too many failed logins',
    registers: [this.registry],
  });
  private readonly refreshes = new Counter({
    name: 'gatehouse_token_refreshes_total',
    help: 'Refresh tokens rotated',
    registers: [this.registry],
  });
  private readonly reuses = new Counter({
    name: 'gatehouse_refresh_token_reuse_total',
    help: 'Replayed refresh tokens detected (the session was ended)',
    registers: [this.registry],
  });
  private readonly revocations = new Counter({
    name: 'gatehouse_session_revocations_total',
    help: 'Session revocations by kind (logout, session, all_sessions, reuse)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  private readonly throttledRequests = new Counter({
    name: 'gatehouse_throttled_requests_total',
    help: 'Requests refused with 429, by route kind (auth: login, token, register, 2FA; other)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  private readonly apiKeyUses = new Counter({
    name: 'gatehouse_api_key_uses_total',
    help: 'Requests authenticated with an API key',
    registers: [this.registry],
  });
  private readonly securityEvents = new Counter({
    name: 'gatehouse_security_events_total',
    help: 'Security events recorded, by type',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });
  private readonly auditWriteFailures = new Counter({
    name: 'gatehouse_audit_write_failures_total',
    help: 'Security events that could not be written to the audit log',
    registers: [this.registry],
  });

  constructor(@InjectDataSource() dataSource: DataSource) {
    collectDefaultMetrics({ register: this.registry, prefix: 'gatehouse_' });
    new Gauge({
      name: 'gatehouse_db_pool_connections',
      help: 'Database pool connections by state (total, idle, waiting clients)',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        const pool = (dataSource.driver as unknown as { master?: PoolCounts }).master;
        if (!pool) return;
        this.set({ state: 'total' }, pool.totalCount);
        this.set({ state: 'idle' }, pool.idleCount);
        this.set({ state: 'waiting' }, pool.waitingCount);
      },
    });
  }

  /** Counts a security event under its own metric (logins, lockouts, refreshes, ...). */
  securityEvent(type: SecurityEventType, details: Record<string, unknown> = {}): void {
    this.securityEvents.inc({ type });
    if (type === 'login.succeeded') this.logins.inc({ outcome: 'success', reason: '' });
    else if (type === 'login.failed')
      this.logins.inc({ outcome: 'failure', reason: String(details.reason ?? 'unknown') });
    else if (type === 'account.locked') this.lockouts.inc();
    else if (type === 'token.refreshed') this.refreshes.inc();
    if (type === 'refresh_token.reused') this.reuses.inc();
    const reason = REVOCATION_REASON[type];
    if (reason) this.revocations.inc({ reason });
  }

  auditWriteFailed(): void {
    this.auditWriteFailures.inc();
  }

  throttled(kind: 'auth' | 'other'): void {
    this.throttledRequests.inc({ kind });
  }

  /** For the API-key strategy: call once per request it authenticates. */
  apiKeyUsed(): void {
    this.apiKeyUses.inc();
  }

  contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
