import { request as httpRequest, Agent } from 'node:http';
import { connect, type Socket } from 'node:net';
import { createTestDatabase, dropTestDatabase } from './database.js';
import { startInstance, type Instance } from './instance.js';
import { startSlowRegister } from './raw-http.js';

/** One raw keep-alive connection: send a request, read exactly one response, keep the socket. */
class RawConnection {
  private buffer = '';
  private waiting?: () => void;
  closed = false;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      this.waiting?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.waiting?.();
    });
    socket.on('error', () => undefined);
  }

  static open(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  /** The whole response (head and body, by Content-Length), or '' when the connection died first. */
  async get(path: string): Promise<string> {
    this.buffer = '';
    this.socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end >= 0) {
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(this.buffer)?.[1] ?? 0);
        if (this.buffer.length >= end + 4 + length) return this.buffer;
      }
      if (this.closed) return '';
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
  }

  destroy(): void {
    this.socket.destroy();
  }
}

type Outcome = 'ok' | 'closing' | 'refused' | 'reset';

/** A request on a keep-alive agent: refused (never sent) is fine for a stopping instance, a reset is not. */
function keepAliveGet(agent: Agent, port: number, path: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.headers.connection === 'close' ? 'closing' : 'ok'));
      res.on('error', () => resolve('reset'));
    });
    // Refused, or reset while connecting (the kernel resets connections still in the closed listener's
    // backlog): nothing was sent, a load balancer retries elsewhere. A reset after that lost a request.
    req.on('error', (error: NodeJS.ErrnoException) => {
      resolve(error.code === 'ECONNREFUSED' || error.syscall === 'connect' ? 'refused' : 'reset');
    });
    req.end();
  });
}

/**
 * Issue 13 item 6: on SIGTERM readiness fails first, the listener serves on through the grace period,
 * idle keep-alive connections are answered with `Connection: close` instead of being reset, then the
 * bounded drain. Real processes, real sockets.
 */
describe('drain on SIGTERM', () => {
  let database: { name: string; url: string };
  let instance: Instance;
  let port: number;
  beforeAll(async () => {
    database = await createTestDatabase();
    instance = await startInstance(database.url, {
      SHUTDOWN_GRACE_SECONDS: '3',
      SHUTDOWN_TIMEOUT_SECONDS: '60',
    });
    port = Number(new URL(instance.api.baseUrl).port);
  }, 180_000);
  afterAll(async () => {
    await instance.stop();
    await dropTestDatabase(database.name);
  });

  it('fails readiness first, answers idle keep-alive connections with Connection: close, resets no request under load', async () => {
    // Connections that are idle when the signal comes, used again only afterwards.
    const idle = await Promise.all([1, 2, 3].map(() => RawConnection.open(port)));
    for (const connection of idle)
      expect(await connection.get('/health/live')).toMatch(/^HTTP\/1\.1 200 /);

    // Keep-alive load through the signal, sent as a load balancer would: until readiness fails.
    const agent = new Agent({ keepAlive: true, maxSockets: 6 });
    const outcomes: Outcome[] = [];
    let routing = true;
    const workers = Array.from({ length: 6 }, async () => {
      while (routing) outcomes.push(await keepAliveGet(agent, port, '/health/live'));
    });

    // A request in flight keeps the drain going for as long as this test needs (finished below).
    const slow = startSlowRegister(instance.api.baseUrl);
    try {
      await slow.opened;
      const ready = await instance.api.get('/health/ready');
      expect(ready.status).toBe(200);
      process.kill(instance.pid, 'SIGTERM');

      // Readiness fails while the listener still serves.
      let status = 200;
      for (let attempt = 0; attempt < 100 && status === 200; attempt += 1) {
        status = (await instance.api.get('/health/ready')).status;
        if (status === 200) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(status).toBe(503);
      routing = false;
      expect((await instance.api.get('/health')).status).toBe(503);
      expect((await instance.api.get('/health/live')).status).toBe(200);

      // The idle connections were not cut: their next request is answered, and told to close.
      for (const connection of idle) {
        const answer = await connection.get('/health/live');
        expect(answer).toMatch(/^HTTP\/1\.1 200 /);
        expect(answer).toMatch(/\r\nconnection: close\r\n/i);
        connection.destroy();
      }
    } finally {
      // Whatever happened, the load stops (a failed expectation must not leave it running).
      routing = false;
    }
    await Promise.all(workers);
    agent.destroy();
    slow.finish();
    expect(await slow.closed).toMatch(/^HTTP\/1\.1 201 /);
    expect(outcomes.filter((outcome) => outcome === 'reset')).toEqual([]);
    expect(outcomes.filter((outcome) => outcome !== 'refused').length).toBeGreaterThan(0);
    expect(await instance.exited).toBe(0);
  }, 180_000);
});
