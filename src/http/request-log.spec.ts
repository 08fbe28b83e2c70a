import type { ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import { problemCodeOf, recordProblemCode } from '../common/errors/problem-code.js';
import { createLogger, REDACTED } from './logging.js';
import { FRAMEWORK_REQUEST, loggablePath, logRequestDone, type RawRequest } from './request-log.js';

const USER_ID = '5f0c7a52-8d9e-4c61-9a7e-2b7f3f1c9d10';

function capture(level: 'info' | 'warn' = 'info') {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString());
      callback();
    },
  });
  return { lines, logger: createLogger({ format: 'json', level, destination }) };
}

function request(url: string, options: { method?: string; userId?: string } = {}): RawRequest {
  const user = options.userId ? { user: { id: options.userId } } : undefined;
  return { method: options.method ?? 'GET', url, [FRAMEWORK_REQUEST]: { user } } as RawRequest;
}

function response(status: number, options: { code?: string; finished?: boolean } = {}) {
  const res = { statusCode: status, writableFinished: options.finished ?? true } as ServerResponse;
  if (options.code) recordProblemCode(res, options.code);
  return res;
}

/** The line with its time taken out: the two loggers may stamp different milliseconds. */
const timeless = (line: string) => line.replace(/,"time":"[^"]*"/, '');

describe('logRequestDone', () => {
  const cases: Array<[string, RawRequest, ServerResponse, string]> = [
    ['a plain GET', request('/users/me', { userId: USER_ID }), response(200), 'req-1'],
    ['a failure', request('/auth/token', { method: 'POST' }), response(401, { code: 'X' }), 'r2'],
    ['a 5xx', request('/health'), response(503, { code: 'SERVICE_UNAVAILABLE' }), 'r3'],
    ['an abort', request('/users?page=2'), response(200, { finished: false }), 'r4'],
    ['quotes, controls', request('/a"b\\c\u0001\u2028é/ü'), response(404), 'r5'],
    ['a secret-looking id', request('/x'), response(200), 'password=hunter2'],
    ['a secret in the path', request('/reset/token=abc/Bearer xyz'), response(400), 'r6'],
    ['a long segment', request(`/keys/${'k'.repeat(40)}/x`), response(200), 'r7'],
  ];

  it.each(cases)('writes %s as logger.info(fields, message) would', (_name, req, res, id) => {
    const fast = capture();
    logRequestDone(req, res, fast.logger, id, process.hrtime.bigint());
    expect(fast.lines).toHaveLength(1);
    const [line] = fast.lines;
    const entry = JSON.parse(line) as Record<string, unknown>;

    // The same raw fields through pino's general path, its redaction hook and formatter included.
    const generic = capture();
    const path = loggablePath(req.url);
    const code = problemCodeOf(res);
    const fields: Record<string, unknown> = {
      reqId: id,
      method: req.method,
      path,
      status: res.statusCode,
      durationMs: entry.durationMs,
      userId: (req[FRAMEWORK_REQUEST]?.user as { user?: { id: string } } | undefined)?.user?.id,
    };
    if (code !== undefined) fields.problem = code;
    if (!res.writableFinished) fields.aborted = true;
    const message = `${req.method} ${path} ${res.statusCode} ${String(entry.durationMs)}ms${code ? ` ${code}` : ''}`;
    const level = res.statusCode >= 500 ? 'error' : 'info';
    generic.logger[level](fields, message);
    expect(timeless(line)).toBe(timeless(generic.lines[0]));
    expect(line.endsWith('}\n')).toBe(true);
  });

  it('redacts what the generic path redacts and keeps the fields a reader needs', () => {
    const { lines, logger } = capture();
    const path = `/reset/token=abc/${'k'.repeat(40)}?access_token=eyJx.eyJy.z`;
    logRequestDone(
      request(path),
      response(400, { code: 'INVALID_TOKEN' }),
      logger,
      'password=p1',
      0n,
    );
    const entry = JSON.parse(lines[0]) as Record<string, unknown>;
    expect(lines[0]).not.toContain('abc');
    expect(lines[0]).not.toContain('kkkk');
    expect(lines[0]).not.toContain('eyJ');
    expect(lines[0]).not.toContain('p1');
    expect(entry).toMatchObject({
      level: 'info',
      // The name=value rule takes the rest of the path with the value.
      path: `/reset/token=${REDACTED}`,
      status: 400,
      problem: 'INVALID_TOKEN',
    });
    expect(entry.msg).toBe(
      `GET /reset/token=${REDACTED} 400 ${String(entry.durationMs)}ms INVALID_TOKEN`,
    );
    expect(entry.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('writes at error for a 5xx and nothing below the logger level', () => {
    const quiet = capture('warn');
    logRequestDone(request('/x'), response(200), quiet.logger, 'a', process.hrtime.bigint());
    logRequestDone(request('/x'), response(500), quiet.logger, 'b', process.hrtime.bigint());
    expect(quiet.lines.map((line) => JSON.parse(line) as { level: string; reqId: string })).toEqual(
      [expect.objectContaining({ level: 'error', reqId: 'b' })],
    );
  });
});
