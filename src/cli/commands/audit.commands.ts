import { type Command, Option } from 'commander';
import { leaf, outputOf, positiveInt, wholeNumber } from '../program-helpers.js';
import type { TailOptions } from './audit.actions.js';

const actions = () => import('./audit.actions.js');

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('The hash-chained audit log');

  leaf(
    audit
      .command('verify')
      .description(
        'Check the whole chain; exit status 1 names the first broken row (cron-friendly)',
      ),
  ).action(async (_options, command: Command) => (await actions()).verify(outputOf(command)));

  leaf(
    audit
      .command('prune')
      .description(
        'Delete rows written before a time; the chain stays verifiable (refused when broken)',
      )
      .option('--before <time>', 'ISO-8601 time, e.g. 2026-01-01T00:00:00Z')
      .addOption(
        new Option(
          '--older-than-days <days>',
          'rows older than this many days (0: everything before now)',
        ).argParser(wholeNumber(0, 100_000)),
      ),
  ).action(async (options: { before?: string; olderThanDays?: number }, command: Command) =>
    (await actions()).prune(options, outputOf(command)),
  );

  leaf(
    audit
      .command('tail')
      .description('The newest events, oldest first; --follow keeps printing new ones')
      .addOption(
        new Option('-n, --lines <count>', 'how many of the newest events')
          .argParser(positiveInt(10_000))
          .default(20),
      )
      .option(
        '-f, --follow',
        'keep printing events as they are written (--json: one object per line)',
      )
      .option('--user <user>', 'only events about this user (id, username or email)')
      .option('--type <type>', 'only events of this type (e.g. login.failed)'),
  ).action(async (options: TailOptions, command: Command) =>
    (await actions()).tail(options, outputOf(command)),
  );
}
