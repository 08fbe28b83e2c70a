import { startTestApp, type TestApp } from './app.js';
import { startInstance, type Instance } from './instance.js';
import { REDIS_SERVER, redisAvailable, startRedis, type ThrowawayRedis } from './redis.js';

if (!redisAvailable()) {
  describe('limits shared through Redis (REDIS_URL)', () => {
    it.skip(`SKIPPED: ${REDIS_SERVER} is missing (apt-get install redis-server); Redis-backed limits were not checked`, () =>
      undefined);
  });
} else {
  describe('limits shared through Redis (REDIS_URL)', () => {
    let redis: ThrowawayRedis;
    let a: TestApp;
    let b: Instance;
    const logs: string[] = [];
    const client = (address: string) => ({ 'x-forwarded-for': address });

    beforeAll(async () => {
      redis = await startRedis();
      // Behind a trusted proxy, so each test is a client of its own (start-up health polls count too).
      const env = {
        REDIS_URL: redis.url,
        THROTTLE_LIMIT: '6',
        THROTTLE_TTL_SECONDS: '60',
        TRUST_PROXY: 'true',
      };
      a = await startTestApp({
        env,
        logDestination: { write: (line: string) => void logs.push(line) } as never,
      });
      b = await startInstance(a.database.url, env);
    }, 60_000);
    afterAll(async () => {
      await b?.stop();
      await a?.close();
      await redis?.stop();
      delete process.env.REDIS_URL;
      delete process.env.TRUST_PROXY;
      process.env.THROTTLE_LIMIT = '1000000';
    });

    it('the general per-client limit is one counter across both instances', async () => {
      const responses = [];
      for (let i = 0; i < 10; i++)
        responses.push(
          await (i % 2 ? b.api : a.api).get('/health', { headers: client('203.0.113.1') }),
        );
      expect(responses.map((r) => r.status)).toEqual([
        200, 200, 200, 200, 200, 200, 429, 429, 429, 429,
      ]);
    });

    it('Redis gone: counted in memory per instance, logged, never a 500 and never unlimited', async () => {
      await redis.stop();
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++)
        statuses.push((await a.api.get('/health', { headers: client('203.0.113.1') })).status);
      // This instance's own memory counters start afresh: THROTTLE_LIMIT more, then 429 again.
      expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429, 429, 429]);
      expect(logs.join('\n')).toMatch(/Shared rate-limit store \(redis\) unavailable/);
    });
  });
}
