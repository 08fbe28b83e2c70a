import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { SecurityEventsService } from '../audit/security-events.service.js';
import { mailConfig, type MailConfig } from '../config/mail.config.js';
import type { MailParams } from './mail-message.entity.js';
import { MailMetrics } from './mail-metrics.js';
import { MailQueue, OutboxSecrets } from './mail-queue.js';
import { type MailKind, MAIL_KINDS, renderMail } from './mail-templates.js';
import { MailTransport } from './mail-transport.js';

/** How often each instance looks for due mails (new mails are also sent at once, see MailQueue.wake). */
const POLL_MS = 1000;
/** Mails one pass delivers at most, so a large backlog never starves the event loop for long. */
const BATCH = 50;
const MAX_BACKOFF_SECONDS = 3600;
/** After a pass failed (database unreachable), polls pause this long: the pool is left to the requests. */
const PAUSE_AFTER_FAILURE_MS = 5000;

interface DueRow {
  id: string;
  kind: string;
  recipient: string;
  user_id: string | null;
  params: MailParams;
  sealed_token: string | null;
  attempts: number;
}

/** A transport error as one short line: never the message, only what went wrong talking to the server. */
function describe(error: unknown): string {
  const { code, responseCode, message } = error as {
    code?: string;
    responseCode?: number;
    message?: string;
  };
  return [code, responseCode, (message ?? '').split('\n')[0]]
    .filter(Boolean)
    .join(' ')
    .slice(0, 200);
}

/**
 * Delivers the outbox. Each mail is claimed with `FOR UPDATE SKIP LOCKED` inside its own transaction
 * and marked sent in that same transaction, so two instances never send one mail twice (a crash
 * between the server's acceptance and the commit can repeat one mail: at-least-once). A failed attempt
 * is retried after MAIL_RETRY_BASE_SECONDS, doubling each time (capped at an hour); after
 * MAIL_MAX_ATTEMPTS it is given up. Everything lives in the table, so an outage or a restart loses
 * nothing.
 */
@Injectable()
export class MailSender implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Mail');
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private pausedUntil = 0;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(mailConfig.KEY) private readonly config: MailConfig,
    private readonly transport: MailTransport,
    private readonly secrets: OutboxSecrets,
    private readonly metrics: MailMetrics,
    private readonly events: SecurityEventsService,
    queue: MailQueue,
  ) {
    queue.onWake(() => this.wake());
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (Date.now() >= this.pausedUntil) this.wake();
    }, POLL_MS);
    this.timer.unref();
    this.wake();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.pass;
  }

  /** Starts a delivery pass now, or right after the running one. */
  wake(): void {
    if (this.stopped) return;
    if (this.pass) {
      this.again = true;
      return;
    }
    this.pass = this.deliverDue()
      .then(() => undefined)
      .catch((error: unknown) => {
        this.pausedUntil = Date.now() + PAUSE_AFTER_FAILURE_MS;
        this.logger.warn(`mail delivery pass failed: ${describe(error)}`);
      })
      .finally(() => {
        this.pass = undefined;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  /** Delivers what is due; the number of mails it handled. */
  async deliverDue(): Promise<number> {
    let handled = 0;
    while (!this.stopped && handled < BATCH && (await this.deliverOne())) handled++;
    return handled;
  }

  private deliverOne(): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const rows = (await manager.query(
        `SELECT id, kind, recipient, user_id, params, sealed_token, attempts FROM mail_outbox
          WHERE status = 'pending' AND next_attempt_at <= now()
          ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
      )) as DueRow[];
      const row = rows[0];
      if (!row) return false;
      await this.attempt(manager, row);
      return true;
    });
  }

  private async attempt(manager: EntityManager, row: DueRow): Promise<void> {
    const kind = row.kind as MailKind;
    const expiresAt = typeof row.params.expires_at === 'string' ? row.params.expires_at : null;
    if (!MAIL_KINDS.includes(kind) || (expiresAt && Date.parse(expiresAt) <= Date.now())) {
      await this.giveUp(manager, row, MAIL_KINDS.includes(kind) ? 'link expired' : 'unknown kind');
      return;
    }
    try {
      const token = row.sealed_token ? this.secrets.open(row.sealed_token, row.id) : undefined;
      const rendered = renderMail({ kind, params: row.params, appUrl: this.config.appUrl, token });
      await this.transport.send({ id: row.id, to: row.recipient, ...rendered });
    } catch (error) {
      const reason = describe(error);
      if (row.attempts + 1 >= this.config.maxAttempts) {
        await this.giveUp(manager, row, reason);
        return;
      }
      const delay = Math.min(this.config.retryBaseSeconds * 2 ** row.attempts, MAX_BACKOFF_SECONDS);
      await manager.query(
        `UPDATE mail_outbox SET attempts = attempts + 1, last_error = $2,
                next_attempt_at = now() + make_interval(secs => $3) WHERE id = $1`,
        [row.id, reason, delay],
      );
      this.metrics.retried(kind);
      this.logger.warn(
        `mail ${row.id} (${kind}) not delivered, attempt ${row.attempts + 1}: ${reason}; retrying in ${delay} s`,
      );
      return;
    }
    await manager.query(
      `UPDATE mail_outbox SET status = 'sent', sent_at = now(), attempts = attempts + 1,
              sealed_token = NULL, last_error = NULL WHERE id = $1`,
      [row.id],
    );
    this.metrics.sent(kind);
  }

  private async giveUp(manager: EntityManager, row: DueRow, reason: string): Promise<void> {
    await manager.query(
      `UPDATE mail_outbox SET status = 'failed', attempts = attempts + 1, last_error = $2,
              sealed_token = NULL WHERE id = $1`,
      [row.id, reason],
    );
    this.metrics.failed(row.kind);
    this.logger.error(`mail ${row.id} (${row.kind}) given up: ${reason}`);
    await this.events.record({
      type: 'mail.failed',
      userId: row.user_id,
      details: { kind: row.kind, mail_id: row.id, reason },
    });
  }
}
