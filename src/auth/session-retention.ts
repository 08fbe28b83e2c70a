import type { DataSource } from 'typeorm';
import { deleteInBatches } from '../database/batched-delete.js';

const HOUR_MS = 60 * 60 * 1000;

/**
 * How long an ended session's row must outlive its end: the longest access token this service can
 * issue (ACCESS_TOKEN_EXPIRE_MINUTES is at most 24 h) and an hour for clocks. Past that every access
 * token of the session has expired, so no revocation check needs the row; a refresh token still
 * finds no session by its `sid` and is refused as invalid, so the row can go.
 */
export const MIN_ENDED_SESSION_AGE_MS = 25 * HOUR_MS;

/** The smallest whole number of days that is at least that long. */
export const MIN_ENDED_SESSION_AGE_DAYS = Math.ceil(MIN_ENDED_SESSION_AGE_MS / (24 * HOUR_MS));

/**
 * Deletes the sessions that ended before `cutoff`: revoked (logout, rotation reuse, an admin, the
 * session cap) or past their absolute expiry. Active sessions are never touched. Returns how
 * many went (deleted in short statements).
 */
export async function deleteEndedSessions(dataSource: DataSource, cutoff: Date): Promise<number> {
  if (!(cutoff.getTime() <= Date.now() - MIN_ENDED_SESSION_AGE_MS))
    throw new RangeError(
      `sessions that ended less than ${MIN_ENDED_SESSION_AGE_MS / HOUR_MS} hours ago may still have live tokens`,
    );
  return deleteInBatches(
    dataSource,
    'sessions',
    `(revoked_at IS NOT NULL AND revoked_at < :cutoff) OR (revoked_at IS NULL AND expires_at < :cutoff)`,
    { cutoff },
  );
}
