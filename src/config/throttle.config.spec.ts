import { ConfigError } from './env.js';
import { parseThrottleConfig } from './throttle.config.js';

describe('throttle config', () => {
  it('REDIS_URL is optional and must be redis:// or rediss://', () => {
    expect(parseThrottleConfig({}).redisUrl).toBeUndefined();
    expect(parseThrottleConfig({ REDIS_URL: 'redis://cache:6379/0' }).redisUrl).toBe(
      'redis://cache:6379/0',
    );
    expect(parseThrottleConfig({ REDIS_URL: 'rediss://cache:6380' }).redisUrl).toBe(
      'rediss://cache:6380',
    );
    for (const bad of ['http://cache:6379', 'cache:6379', 'not a url']) {
      expect(() => parseThrottleConfig({ REDIS_URL: bad })).toThrow(ConfigError);
    }
  });
});
