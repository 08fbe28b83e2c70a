/**
 * Audit log maintenance, on the same connection definition as the app:
 *   node dist/src/audit/audit-cli.js verify
 *   node dist/src/audit/audit-cli.js prune --before 2026-01-01T00:00:00Z
 *   node dist/src/audit/audit-cli.js prune --older-than-days 365
 * (npm run audit:verify / npm run audit:prune -- --older-than-days 365). Without DATABASE_URL it works
 * on the embedded database under the data directory. Exit code 0: chain intact (or pruned); 1: broken
 * chain (every problem is printed, naming the row) or an error.
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { provideDatabase } from '../database/database-url.js';
import { dataSourceOptions } from '../database/data-source.js';
import { BrokenChainError, type ChainReport, pruneChain, verifyChain } from './audit-chain.js';

const USAGE =
  'usage: audit-cli.js verify | prune --before <ISO-8601 time> | prune --older-than-days <days>';
const DAY_MS = 24 * 60 * 60 * 1000;

function printReport(report: ChainReport): void {
  if (report.valid) {
    console.log(
      `Audit chain intact: ${report.checked} rows checked, head seq ${report.head.seq} hash ${report.head.hash}` +
        (report.anchor.seq !== '0' ? ` (pruned through seq ${report.anchor.seq})` : ''),
    );
    return;
  }
  console.error(`Audit chain BROKEN (${report.checked} rows checked):`);
  for (const problem of report.problems) console.error(`  - ${problem.problem}`);
}

/** The cut-off time from `--before <time>` or `--older-than-days <n>`. */
function parsePruneCutoff(args: string[], now = new Date()): Date {
  const [flag, value] = args;
  if (flag === '--before' && value && !Number.isNaN(Date.parse(value))) return new Date(value);
  if (flag === '--older-than-days' && value && /^\d+$/.test(value))
    return new Date(now.getTime() - Number(value) * DAY_MS);
  throw new Error(USAGE);
}

async function main(): Promise<void> {
  const [command, ...args] = process.argv.slice(2);
  if (command !== 'verify' && command !== 'prune') throw new Error(USAGE);
  const cutoff = command === 'prune' ? parsePruneCutoff(args) : undefined;
  const database = await provideDatabase();
  const dataSource = new DataSource(dataSourceOptions(database.url));
  try {
    await dataSource.initialize();
    if (command === 'verify') {
      const report = await verifyChain(dataSource);
      printReport(report);
      if (!report.valid) process.exitCode = 1;
      return;
    }
    try {
      const result = await pruneChain(dataSource, cutoff!);
      console.log(
        result.pruned === 0
          ? `Nothing written before ${cutoff!.toISOString()}; nothing pruned.`
          : `Pruned ${result.pruned} rows written before ${cutoff!.toISOString()}, through seq ${result.throughSeq}; anchor hash ${result.anchorHash}.`,
      );
    } catch (error) {
      if (!(error instanceof BrokenChainError)) throw error;
      console.error(
        'Refusing to prune: the chain is broken, and pruning would erase the evidence.',
      );
      printReport(error.report);
      process.exitCode = 1;
    }
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await database.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
