import { Writable } from 'node:stream';
import { createLogger, redact, REDACTED } from './logging.js';

describe('redact', () => {
  it('masks secret-named keys at any depth, every time the key comes back', () => {
    const line = {
      user: 'u1',
      password: 'hunter2',
      nested: { api_key: 'k', list: [{ token: 't' }] },
    };
    for (let i = 0; i < 3; i++) {
      expect(redact(line)).toEqual({
        user: 'u1',
        password: REDACTED,
        nested: { api_key: REDACTED, list: [{ token: REDACTED }] },
      });
    }
    expect(line.password).toBe('hunter2');
  });

  it('masks the known-device cookie a request client carries, not words that merely contain it', () => {
    const client = { ip: '192.0.2.1', device: 'd'.repeat(43), issuedDevice: 'e'.repeat(43) };
    expect(redact({ client, devices: 2 })).toEqual({
      client: { ip: '192.0.2.1', device: REDACTED, issuedDevice: REDACTED },
      devices: 2,
    });
  });

  it('replaces bearer credentials and JWTs inside free text', () => {
    expect(redact({ note: 'sent Authorization: Bearer abc.def.ghi' })).toEqual({
      note: `sent Authorization: Bearer ${REDACTED}`,
    });
  });
});

describe('createLogger', () => {
  it('stamps each line with an ISO time and masks what it writes', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString());
        callback();
      },
    });
    const logger = createLogger({ format: 'json', level: 'info', destination });
    const before = Date.now();
    logger.info({ secret: 's', path: '/x' }, 'first');
    await new Promise((resolve) => setTimeout(resolve, 5));
    logger.info('second');
    const [first, second] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(first).toMatchObject({ secret: REDACTED, path: '/x', msg: 'first' });
    const times = [first.time, second.time].map((time) => Date.parse(time as string));
    expect(times[0]).toBeGreaterThanOrEqual(before - 1);
    expect(times[1]).toBeGreaterThan(times[0]);
    expect(first.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });
});
