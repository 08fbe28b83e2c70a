import type { DataSource } from 'typeorm';
import {
  deleteEndedSessions,
  MIN_ENDED_SESSION_AGE_DAYS,
  MIN_ENDED_SESSION_AGE_MS,
} from './session-retention.js';

describe('deleteEndedSessions', () => {
  // Never reached when the guard refuses: any use of it fails the test.
  const untouchable = new Proxy({} as DataSource, {
    get: () => {
      throw new Error('the database was touched');
    },
  });

  it.each([
    ['now', 0],
    ['an hour ago', 60 * 60 * 1000],
    ['a minute short of the minimum', MIN_ENDED_SESSION_AGE_MS - 60_000],
  ])('refuses a cutoff of %s, before touching the database', async (_when, age) => {
    await expect(deleteEndedSessions(untouchable, new Date(Date.now() - age))).rejects.toThrow(
      RangeError,
    );
  });

  it('refuses an invalid date', async () => {
    await expect(deleteEndedSessions(untouchable, new Date(Number.NaN))).rejects.toThrow(
      RangeError,
    );
  });

  it('asks for whole days that cover the minimum (what the CLI accepts at least)', () => {
    expect(MIN_ENDED_SESSION_AGE_DAYS * 24 * 60 * 60 * 1000).toBeGreaterThanOrEqual(
      MIN_ENDED_SESSION_AGE_MS,
    );
    expect(MIN_ENDED_SESSION_AGE_DAYS).toBe(2);
  });
});
