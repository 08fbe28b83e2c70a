import type { DataSource } from 'typeorm';
import { deleteInBatches } from '../database/batched-delete.js';

/**
 * Deletes the outbox rows of mails that finished before `cutoff`: sent (`sent_at`), or given up
 * (`next_attempt_at`: the last attempt was due then; each such mail also has its `mail.failed`
 * security event, which stays). A mail still pending is never touched, however old. Returns how
 * many rows went.
 */
export function deleteFinishedMails(dataSource: DataSource, cutoff: Date): Promise<number> {
  return deleteInBatches(
    dataSource,
    'mail_outbox',
    `(status = 'sent' AND sent_at < :cutoff) OR (status = 'failed' AND next_attempt_at < :cutoff)`,
    { cutoff },
  );
}
