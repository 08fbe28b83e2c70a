import { deleteFinishedMails } from '../../mail/mail-retention.js';
import { withDataSource } from '../cli-context.js';
import type { Output } from '../output.js';

/** The implementations behind `gatehouse mail ...` (loaded only when a command runs). */

const DAY_MS = 24 * 60 * 60 * 1000;

export async function prune(options: { olderThanDays: number }, out: Output): Promise<void> {
  const cutoff = new Date(Date.now() - options.olderThanDays * DAY_MS);
  const deleted = await withDataSource((dataSource) => deleteFinishedMails(dataSource, cutoff));
  out.result({ deleted, finished_before: cutoff.toISOString() }, () =>
    deleted === 0
      ? `No mail finished before ${cutoff.toISOString()}; nothing deleted.`
      : `Deleted ${deleted} mail(s) sent or given up before ${cutoff.toISOString()}.`,
  );
}
