import type { DataSource } from 'typeorm';
import { deleteInBatches } from '../database/batched-delete.js';

/**
 * Deletes the outbox rows of mails queued before `cutoff` that are finished: sent, or given up
 * (each of those also has its `mail.failed` security event, which stays). A mail still pending is
 * never touched, however old. Returns how many rows went.
 */
export function deleteFinishedMails(dataSource: DataSource, cutoff: Date): Promise<number> {
  return deleteInBatches(
    dataSource,
    'mail_outbox',
    `status IN ('sent', 'failed') AND created_at < :cutoff`,
    { cutoff },
  );
}
