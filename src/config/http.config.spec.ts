import { parseAppConfig } from './app.config.js';
import { parseHttpConfig } from './http.config.js';

describe('HTTP hardening configuration', () => {
  it('defaults: no CORS origin, localhost and 127.0.0.1 trusted, no HTTPS redirect', () => {
    const app = parseAppConfig({});
    expect(app.corsOrigins).toEqual([]);
    expect(app.trustedHosts).toEqual(['localhost', '127.0.0.1']);
    expect(parseHttpConfig({})).toEqual({
      forceHttps: false,
      logFormat: 'pretty',
      logLevel: 'info',
      shutdownTimeoutMs: 8000,
      shutdownGraceMs: 0,
      threadPoolNiceness: 10,
    });
    expect(parseHttpConfig({ NODE_ENV: 'production' }).logFormat).toBe('json');
    // Behind a load balancer readiness fails for a grace period before the listener closes.
    expect(parseHttpConfig({ NODE_ENV: 'production' }).shutdownGraceMs).toBe(5000);
  });

  it('reads exact CORS origins and lower-cased host patterns', () => {
    const app = parseAppConfig({
      CORS_ORIGINS: 'https://app.example.com, http://localhost:3000/',
      TRUSTED_HOSTS: 'API.example.com,*.example.org,[::1]',
    });
    expect(app.corsOrigins).toEqual(['https://app.example.com', 'http://localhost:3000']);
    expect(app.trustedHosts).toEqual(['api.example.com', '*.example.org', '[::1]']);
  });

  it.each(['*', 'null', 'app.example.com', 'https://app.example.com/path', 'ftp://x.example'])(
    'refuses CORS_ORIGINS=%s with one line naming the variable',
    (value) => {
      expect(() => parseAppConfig({ CORS_ORIGINS: value })).toThrow(/^CORS_ORIGINS must/);
    },
  );

  it.each(['', 'api.example.com:8000', 'https://api.example.com', 'a b', '*.*.example.com'])(
    'refuses TRUSTED_HOSTS=%j',
    (value) => {
      expect(() => parseAppConfig({ TRUSTED_HOSTS: value })).toThrow(/^TRUSTED_HOSTS must/);
    },
  );

  it.each([
    ['FORCE_HTTPS', 'maybe'],
    ['LOG_FORMAT', 'xml'],
    ['LOG_LEVEL', 'loud'],
    ['SHUTDOWN_TIMEOUT_SECONDS', '-1'],
    ['THREAD_POOL_NICENESS', '20'],
    ['THREAD_POOL_NICENESS', '-5'],
  ])('refuses %s=%s', (name, value) => {
    expect(() => parseHttpConfig({ [name]: value })).toThrow(new RegExp(`^${name} must`));
  });
});
