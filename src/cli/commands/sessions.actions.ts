import { deleteEndedSessions } from '../../auth/session-retention.js';
import { withDataSource } from '../cli-context.js';
import type { Output } from '../output.js';
import { daysAgo } from '../program-helpers.js';

/** The implementations behind `gatehouse sessions ...` (loaded only when a command runs). */

export async function prune(options: { olderThanDays: number }, out: Output): Promise<void> {
  const cutoff = daysAgo(options.olderThanDays);
  const deleted = await withDataSource((dataSource) => deleteEndedSessions(dataSource, cutoff));
  out.result({ deleted, ended_before: cutoff.toISOString() }, () =>
    deleted === 0
      ? `No session ended before ${cutoff.toISOString()}; nothing deleted.`
      : `Deleted ${deleted} session(s) that ended before ${cutoff.toISOString()}.`,
  );
}
