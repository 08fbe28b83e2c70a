import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Counter, Gauge } from 'prom-client';
import type { DataSource } from 'typeorm';
import { MetricsService } from '../metrics/metrics.service.js';

/** Mail delivery in the instance's registry: queued, sent, retried, given up, and the outbox's backlog. */
@Injectable()
export class MailMetrics {
  private readonly queuedTotal: Counter<'kind'>;
  private readonly sentTotal: Counter<'kind'>;
  private readonly retriedTotal: Counter<'kind'>;
  private readonly failedTotal: Counter<'kind'>;

  constructor(metrics: MetricsService, @InjectDataSource() dataSource: DataSource) {
    const registers = [metrics.registry];
    this.queuedTotal = new Counter({
      name: 'gatehouse_mail_queued_total',
      help: 'Mails written to the outbox, by kind',
      labelNames: ['kind'],
      registers,
    });
    this.sentTotal = new Counter({
      name: 'gatehouse_mail_sent_total',
      help: 'Mails handed to the mail server (or written to .data/mail), by kind',
      labelNames: ['kind'],
      registers,
    });
    this.retriedTotal = new Counter({
      name: 'gatehouse_mail_retried_total',
      help: 'Delivery attempts that failed and will be retried, by kind',
      labelNames: ['kind'],
      registers,
    });
    this.failedTotal = new Counter({
      name: 'gatehouse_mail_failed_total',
      help: 'Mails given up after MAIL_MAX_ATTEMPTS attempts (or whose link expired first), by kind',
      labelNames: ['kind'],
      registers,
    });
    new Gauge({
      name: 'gatehouse_mail_oldest_unsent_age_seconds',
      help: 'Age of the oldest mail still waiting in the outbox (0 when none): alert when it grows',
      registers,
      async collect() {
        try {
          const [row] = (await dataSource.query(
            `SELECT COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8 AS age
               FROM mail_outbox WHERE status = 'pending'`,
          )) as Array<{ age: number }>;
          this.set(row?.age ?? 0);
        } catch {
          // Database unreachable: the gauge keeps its last value; readiness reports the outage.
        }
      },
    });
  }

  queued(kind: string): void {
    this.queuedTotal.inc({ kind });
  }
  sent(kind: string): void {
    this.sentTotal.inc({ kind });
  }
  retried(kind: string): void {
    this.retriedTotal.inc({ kind });
  }
  failed(kind: string): void {
    this.failedTotal.inc({ kind });
  }
}
