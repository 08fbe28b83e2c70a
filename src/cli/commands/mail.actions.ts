import { deleteFinishedMails } from '../../mail/mail-retention.js';
import { withDataSource } from '../cli-context.js';
import type { Output } from '../output.js';
import { daysAgo } from '../program-helpers.js';

/** The implementations behind `gatehouse mail ...` (loaded only when a command runs). */

export async function prune(options: { olderThanDays: number }, out: Output): Promise<void> {
  const cutoff = daysAgo(options.olderThanDays);
  const deleted = await withDataSource((dataSource) => deleteFinishedMails(dataSource, cutoff));
  out.result({ deleted, finished_before: cutoff.toISOString() }, () =>
    deleted === 0
      ? `No mail finished before ${cutoff.toISOString()}; nothing deleted.`
      : `Deleted ${deleted} mail(s) sent or given up before ${cutoff.toISOString()}.`,
  );
}
