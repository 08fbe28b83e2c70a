import { jest } from '@jest/globals';
import { FixedWindowThrottlerStorage } from './fixed-window-throttler.storage.js';

describe('FixedWindowThrottlerStorage', () => {
  const start = new Date('2026-01-01T00:00:00Z').getTime();
  let now = start;

  beforeEach(() => {
    now = start;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
  });
  afterEach(() => jest.restoreAllMocks());

  it('lets the limit through, then blocks until the window ends', async () => {
    const storage = new FixedWindowThrottlerStorage();
    for (let hit = 1; hit <= 3; hit++) {
      const record = await storage.increment('client', 60_000, 3, 60_000, 'default');
      expect(record).toEqual({
        totalHits: hit,
        timeToExpire: 60,
        isBlocked: false,
        timeToBlockExpire: 0,
      });
    }
    now += 20_500;
    const blocked = await storage.increment('client', 60_000, 3, 60_000, 'default');
    expect(blocked).toMatchObject({ isBlocked: true, timeToBlockExpire: 40 });

    now = start + 60_000;
    const fresh = await storage.increment('client', 60_000, 3, 60_000, 'default');
    expect(fresh).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('counts clients and limits separately', async () => {
    const storage = new FixedWindowThrottlerStorage();
    await storage.increment('a', 60_000, 1, 60_000, 'default');
    expect(await storage.increment('a', 60_000, 1, 60_000, 'default')).toMatchObject({
      isBlocked: true,
    });
    expect(await storage.increment('b', 60_000, 1, 60_000, 'default')).toMatchObject({
      isBlocked: false,
    });
    expect(await storage.increment('a', 60_000, 1, 60_000, 'auth')).toMatchObject({
      isBlocked: false,
    });
  });

  it('forgets finished windows', async () => {
    const storage = new FixedWindowThrottlerStorage();
    for (let i = 0; i < 100; i++)
      await storage.increment(`client-${i}`, 1_000, 5, 1_000, 'default');
    now += 120_000;
    await storage.increment('late', 1_000, 5, 1_000, 'default');
    const windows = (storage as unknown as { windows: Map<string, unknown> }).windows;
    expect([...windows.keys()]).toEqual(['default:late']);
  });
});
