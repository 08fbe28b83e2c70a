import type { DataSource } from 'typeorm';
import {
  BrokenChainError,
  type ChainReport,
  pruneChain,
  verifyChain,
} from '../../audit/audit-chain.js';
import {
  SECURITY_EVENT_TYPES,
  SecurityEvent,
  type SecurityEventType,
} from '../../audit/security-event.entity.js';
import { toSecurityEventResponse } from '../../audit/dto/security-event.response.js';
import { withDataSource } from '../cli-context.js';
import { CliError, UsageError } from '../cli-error.js';
import type { Output } from '../output.js';
import { daysAgo } from '../program-helpers.js';
import { resolveUserId } from '../user-ref.js';

/** The implementations behind `gatehouse audit ...` (loaded only when a command runs). */

const POLL_MS = 1000;

function reportLines(report: ChainReport): string[] {
  if (report.valid)
    return [
      `Audit chain intact: ${report.checked} rows checked, head seq ${report.head.seq} hash ${report.head.hash}` +
        (report.anchor.seq !== '0' ? ` (pruned through seq ${report.anchor.seq})` : ''),
    ];
  return [
    `Audit chain BROKEN (${report.checked} rows checked):`,
    ...report.problems.map((problem) => `  - ${problem.problem}`),
  ];
}

function brokenError(report: ChainReport, prefix = ''): CliError {
  return new CliError(
    `${prefix}the audit chain is broken (${report.problems.length} problem(s)); first: ${report.problems[0]?.problem ?? 'unknown'}`,
    'AUDIT_CHAIN_BROKEN',
  );
}

function eventLine(event: SecurityEvent): string {
  const who = [
    event.userId ? `user=${event.userId}` : undefined,
    event.actorId
      ? `actor=${event.actorId}`
      : event.details.actor
        ? `actor=${String(event.details.actor)}`
        : undefined,
    event.ip ? `ip=${event.ip}` : undefined,
  ].filter(Boolean);
  const details = Object.keys(event.details).length ? JSON.stringify(event.details) : '';
  return [event.createdAt.toISOString(), `#${event.seq}`, event.type, ...who, details]
    .filter(Boolean)
    .join('  ');
}

export interface TailOptions {
  lines: number;
  follow?: boolean;
  user?: string;
  type?: string;
}

async function readEvents(
  dataSource: DataSource,
  filter: { userId?: string; type?: SecurityEventType },
  after: { seq?: string; last?: number },
): Promise<SecurityEvent[]> {
  const builder = dataSource.getRepository(SecurityEvent).createQueryBuilder('event');
  if (filter.userId) builder.andWhere('event.userId = :userId', { userId: filter.userId });
  if (filter.type) builder.andWhere('event.type = :type', { type: filter.type });
  if (after.seq !== undefined) {
    builder.andWhere('event.seq > :seq', { seq: after.seq }).orderBy('event.seq', 'ASC');
    return builder.getMany();
  }
  const newest = await builder.orderBy('event.seq', 'DESC').take(after.last).getMany();
  return newest.reverse();
}

async function newestSeq(dataSource: DataSource): Promise<string> {
  const [row] = (await dataSource.query(
    `SELECT coalesce(max(seq), 0)::text AS seq FROM security_events`,
  )) as Array<{ seq: string }>;
  return row.seq;
}

export async function verify(out: Output): Promise<void> {
  const report = await withDataSource((dataSource) => verifyChain(dataSource));
  out.result(report, () => reportLines(report));
  if (!report.valid) throw brokenError(report);
}

export async function prune(
  options: { before?: string; olderThanDays?: number },
  out: Output,
): Promise<void> {
  if ((options.before === undefined) === (options.olderThanDays === undefined))
    throw new UsageError('give exactly one of --before <time> or --older-than-days <days>');
  if (options.before !== undefined && Number.isNaN(Date.parse(options.before)))
    throw new UsageError(`--before must be an ISO-8601 time, got "${options.before}"`);
  const cutoff =
    options.before !== undefined ? new Date(options.before) : daysAgo(options.olderThanDays!);
  const result = await withDataSource(async (dataSource) => {
    try {
      return await pruneChain(dataSource, cutoff);
    } catch (error) {
      if (!(error instanceof BrokenChainError)) throw error;
      out.result(error.report, () => [
        'Refusing to prune: the chain is broken, and pruning would erase the evidence.',
        ...reportLines(error.report),
      ]);
      throw brokenError(error.report, 'refusing to prune, which would erase the evidence: ');
    }
  });
  out.result({ ...result, before: cutoff.toISOString() }, () =>
    result.pruned === 0
      ? `Nothing written before ${cutoff.toISOString()}; nothing pruned.`
      : `Pruned ${result.pruned} rows written before ${cutoff.toISOString()}, through seq ${result.throughSeq}; anchor hash ${result.anchorHash}.`,
  );
}

export async function tail(options: TailOptions, out: Output): Promise<void> {
  if (
    options.type !== undefined &&
    !SECURITY_EVENT_TYPES.includes(options.type as SecurityEventType)
  )
    throw new UsageError(`--type must be one of ${SECURITY_EVENT_TYPES.join(', ')}`);
  const type = options.type as SecurityEventType | undefined;
  await withDataSource(async (dataSource) => {
    const userId = options.user ? await resolveUserId(dataSource.manager, options.user) : undefined;
    const filter = { userId, type };
    const first = await readEvents(dataSource, filter, { last: options.lines });
    if (!options.follow) {
      out.result(first.map(toSecurityEventResponse), () =>
        first.length ? first.map(eventLine) : '(no events)',
      );
      return;
    }
    const print = (events: SecurityEvent[]) => {
      for (const event of events)
        process.stdout.write(
          `${out.json ? JSON.stringify(toSecurityEventResponse(event)) : eventLine(event)}\n`,
        );
    };
    print(first);
    let seq = first.at(-1)?.seq ?? (await newestSeq(dataSource));
    const stop = new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    for (;;) {
      const stopped = await Promise.race([
        stop.then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), POLL_MS)),
      ]);
      if (stopped) return;
      const events = await readEvents(dataSource, filter, { seq });
      print(events);
      seq = events.at(-1)?.seq ?? seq;
    }
  });
}
