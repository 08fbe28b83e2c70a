import { createRequire } from 'node:module';
import type { LoggerService } from '@nestjs/common';
import { type DestinationStream, type Logger, pino } from 'pino';
import type { LogFormat, LogLevel } from '../config/http.config.js';
import { BatchedLineWriter } from './stdout-lines.js';

export const REDACTED = '[Redacted]';

/**
 * Keys whose values never reach a log line, at any depth: credentials (passwords, tokens, secrets,
 * API keys, the Authorization header, cookies, the known-device cookie's value as RequestClient carries
 * it in `device` and `issuedDevice`) and one-time codes (TOTP, recovery, authorization codes).
 */
const SECRET_KEY =
  /passw(or)?d|passphrase|^pass$|secret|token|authorization|cookie|^(issued)?device$|api[-_]?key|credential|signature|private[-_]?key|recovery|^(code|codes|otp|totp)$|[-_](code|codes|otp)$/i;

/** Secrets inside free text: bearer credentials, JWTs, and `name=value` pairs with a secret name. */
const SECRET_TEXT: Array<[RegExp, string]> = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`],
  [/\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, REDACTED],
  [
    /\b([\w-]*(?:password|secret|token|api[-_]?key|code)[\w-]*)(["']?\s*[=:]\s*["']?)[^\s&"',;}]+/gi,
    `$1$2${REDACTED}`,
  ],
];

/**
 * Every text SECRET_TEXT can match contains one of these (case aside): most log text contains none,
 * and one test is cheaper than the three replacements.
 */
const MAY_HOLD_SECRET = /bearer|basic|eyj|password|secret|token|api[-_]?key|code/i;

export function redactText(text: string): string {
  if (!MAY_HOLD_SECRET.test(text)) return text;
  let result = text;
  for (const [pattern, replacement] of SECRET_TEXT) result = result.replace(pattern, replacement);
  return result;
}

/** Whether a key names a secret, remembered per key: log objects use a few dozen keys, over and over. */
const secretKeyVerdicts = new Map<string, boolean>();
const MAX_REMEMBERED_KEYS = 1000;

function isSecretKey(key: string): boolean {
  let verdict = secretKeyVerdicts.get(key);
  if (verdict === undefined) {
    verdict = SECRET_KEY.test(key);
    if (secretKeyVerdicts.size < MAX_REMEMBERED_KEYS) secretKeyVerdicts.set(key, verdict);
  }
  return verdict;
}

/** A copy of a log object with secret-named keys masked and secrets in strings replaced, at any depth. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (typeof value !== 'object' || value === null || depth > 8) return value;
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  if (value instanceof Error) {
    return redact({ type: value.name, message: value.message, stack: value.stack }, depth);
  }
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    copy[key] =
      isSecretKey(key) && item != null && item !== '' ? REDACTED : redact(item, depth + 1);
  }
  return copy;
}

let lastMillis = -1;
let lastTime = '';

/**
 * pino's `isoTime`, formatted once per millisecond: under load most lines share their millisecond
 * with the line before, and `toISOString` is a visible part of a request's cost.
 */
function isoTime(): string {
  const now = Date.now();
  if (now !== lastMillis) {
    lastMillis = now;
    lastTime = `,"time":"${new Date(now).toISOString()}"`;
  }
  return lastTime;
}

/**
 * Writes one line in the format `createLogger` gives every line, from members the caller serialised
 * and redacted itself (`,"name":value` each, every string passed through `redactText`). For the
 * request log line, written once per request with the same few fields: it skips pino's generic
 * object walk and `redact`'s copy. The message is redacted here, as pino's hook does for every line.
 * For a logger made by `createLogger` only: a child logger's bindings, a mixin or pino's stream hooks
 * would not be applied (none is used on that logger).
 */
export function writePreparedLine(
  logger: Logger,
  level: 'info' | 'error',
  members: string,
  message: string,
): void {
  if (!logger.isLevelEnabled(level)) return;
  const line = `{"level":"${level}"${isoTime()}${members},"msg":${JSON.stringify(redactText(message))}}\n`;
  // pino's own destination (exported symbol, not in its types): where logger.info would write.
  (logger as unknown as Record<symbol, DestinationStream>)[pino.symbols.streamSym].write(line);
}

const require = createRequire(import.meta.url);

/**
 * pino-pretty's one-line-per-event format for a terminal, loaded on first use: a production process
 * (JSON lines) never loads it or what it pulls in.
 */
function prettyDestination(): DestinationStream {
  const { PinoPretty } = require('pino-pretty') as typeof import('pino-pretty');
  return PinoPretty({
    // Colours only on a terminal, and never with NO_COLOR (colorette's own check).
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
    singleLine: true,
    sync: true,
  });
}

let stdoutLines: BatchedLineWriter | undefined;

/** stdout for JSON lines, one writer per process, its last lines written at exit. */
function batchedStdout(): DestinationStream {
  if (!stdoutLines) {
    // Node's own stdout makes a pipe non-blocking (O_NONBLOCK): a full pipe then answers EAGAIN and the
    // writer queues, where a blocking pipe would stall the event loop until the reader reads.
    void process.stdout;
    const writer = new BatchedLineWriter({ fd: 1 });
    process.on('exit', () => writer.flushBeforeExit());
    stdoutLines = writer;
  }
  return stdoutLines;
}

export interface LoggingOptions {
  format: LogFormat;
  level: LogLevel;
  /** Where lines go: stdout unless given (the log-capture test passes a stream of its own). */
  destination?: DestinationStream;
}

/**
 * The process logger: JSON lines for machines (production), or pino-pretty's one-line-per-event
 * format for a terminal (development). Every object and message passes through `redact` first.
 */
export function createLogger(options: LoggingOptions): Logger {
  const destination =
    options.destination ?? (options.format === 'pretty' ? prettyDestination() : batchedStdout());
  return pino(
    {
      level: options.level,
      base: undefined,
      timestamp: isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => redact(object) as Record<string, unknown>,
      },
      hooks: {
        // `args` is pino's own array for this call (a rest parameter), so it is cleaned in place.
        logMethod(args, method) {
          for (let i = 0; i < args.length; i++) {
            const arg: unknown = args[i];
            if (typeof arg === 'string') args[i] = redactText(arg);
          }
          return method.apply(this, args);
        },
      },
    },
    destination,
  );
}

/** Nest's start-up chatter (one line per module and route) is debug detail, not an event. */
const QUIET_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

/** NestJS's logger interface on top of pino, so framework and application logs share the format. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  private write(
    level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace',
    message: unknown,
    params: unknown[],
  ): void {
    const rest = [...params];
    const context =
      rest.length > 0 && typeof rest[rest.length - 1] === 'string'
        ? (rest.pop() as string)
        : undefined;
    const effective = level === 'info' && context && QUIET_CONTEXTS.has(context) ? 'debug' : level;
    const fields: Record<string, unknown> = context ? { context } : {};
    const stack = rest.find((item) => typeof item === 'string' && item.includes('\n'));
    if (stack) fields.stack = stack;
    if (message instanceof Error) {
      this.logger[effective]({ ...fields, err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.logger[effective]({ ...fields, ...message });
    } else {
      this.logger[effective](fields, String(message));
    }
  }

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }
}
