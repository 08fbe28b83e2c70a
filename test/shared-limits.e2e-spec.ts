import { startTestApp, type TestApp } from './app.js';
import { startInstance, type Instance } from './instance.js';

/** Two real instances (this process and a second server process) on one database, as two replicas. */
describe('limits shared by replicas (PostgreSQL)', () => {
  const env = { AUTH_THROTTLE_LIMIT: '4', THROTTLE_LIMIT: '1000000' };
  let a: TestApp;
  let b: Instance;

  beforeAll(async () => {
    a = await startTestApp({ env });
    b = await startInstance(a.database.url, env);
  }, 60_000);
  afterAll(async () => {
    await b?.stop();
    await a?.close();
    process.env.AUTH_THROTTLE_LIMIT = '1000000';
  });

  it('the auth limit holds across both instances: at most AUTH_THROTTLE_LIMIT answers, not N times it', async () => {
    const badLogin = (api: typeof a.api) =>
      api.post('/auth/token', {
        form: { grant_type: 'password', username: 'nobody', password: 'wrong-password' },
      });
    const statuses = await Promise.all(
      Array.from({ length: 10 }, (_, i) => badLogin(i % 2 === 0 ? a.api : b.api)),
    );
    expect(statuses.filter((r) => r.status === 400)).toHaveLength(4);
    expect(statuses.filter((r) => r.status === 429)).toHaveLength(6);
    const later = [await badLogin(a.api), await badLogin(b.api)];
    expect(later.map((r) => r.status)).toEqual([429, 429]);
    expect(later[1].body).toMatchObject({ status: 429, code: 'TOO_MANY_REQUESTS' });
    expect(Number(later[1].headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
