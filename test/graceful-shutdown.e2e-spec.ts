import { createTestDatabase, dropTestDatabase } from './database.js';
import { startInstance } from './instance.js';
import { startSlowRegister } from './raw-http.js';

describe('graceful shutdown on SIGTERM', () => {
  let database: { name: string; url: string };
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => dropTestDatabase(database.name));

  it('finishes a request in flight, refuses new connections, and exits 0', async () => {
    const instance = await startInstance(database.url, { SHUTDOWN_TIMEOUT_SECONDS: '30' });
    const slow = startSlowRegister(instance.api.baseUrl);
    await slow.opened;
    // The request is in flight once its head has been read: wait until the server has seen it.
    await instance.api.get('/health');
    process.kill(instance.pid, 'SIGTERM');
    // New connections are refused once the listener is closed.
    let refused = false;
    for (let attempt = 0; attempt < 100 && !refused; attempt += 1) {
      refused = await instance.api.get('/health').then(
        () => false,
        () => true,
      );
      if (!refused) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(refused).toBe(true);
    slow.finish();
    const answer = await slow.closed;
    expect(answer).toMatch(/^HTTP\/1\.1 201 /);
    expect(answer).toMatch(/\r\nconnection: close\r\n/i);
    expect(await instance.exited).toBe(0);
  }, 60_000);

  it('cuts a request that outlives SHUTDOWN_TIMEOUT_SECONDS, and still exits 0', async () => {
    const instance = await startInstance(database.url, { SHUTDOWN_TIMEOUT_SECONDS: '1' });
    const stuck = startSlowRegister(instance.api.baseUrl);
    await stuck.opened;
    await instance.api.get('/health');
    process.kill(instance.pid, 'SIGTERM');
    // Never finished by the client: its connection is closed without an answer.
    expect(await stuck.closed).toBe('');
    expect(await instance.exited).toBe(0);
  }, 60_000);
});
