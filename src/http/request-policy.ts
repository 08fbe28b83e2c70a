import type { IncomingMessage } from 'node:http';
import { AppError } from '../common/errors/app-error.js';

/** The methods this API routes; anything else (TRACE, TRACK, CONNECT, WebDAV verbs ...) gets 405. */
export const ROUTED_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
/** The only request body formats the API parses. */
export const BODY_MEDIA_TYPES = ['application/json', 'application/x-www-form-urlencoded'];
/** Parsed bodies and query strings deeper than this, or with a longer array, get 400. */
export const MAX_INPUT_DEPTH = 20;
export const MAX_ARRAY_LENGTH = 500;

const CORS_ALLOWED_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE';
const CORS_ALLOWED_HEADERS = 'Authorization, Content-Type, X-API-Key, X-Request-Id';
const CORS_EXPOSED_HEADERS = 'X-Request-Id, X-Process-Time, WWW-Authenticate, Retry-After';
const CORS_MAX_AGE_SECONDS = '600';

/**
 * Query parameters that carry a credential. A URL ends up in browser history, proxy and server logs
 * and Referer headers, so a request naming one of them in its query string is refused (400) on every
 * route, before any route could read it (passport-local, for one, falls back to the query string).
 * Compared case-insensitively, with any `[...]` suffix removed (`password[]`).
 */
export const CREDENTIAL_QUERY_PARAMETERS = new Set([
  'password',
  'current_password',
  'new_password',
  'passwd',
  'pass',
  'secret',
  'client_secret',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'mfa_token',
  'enrollment_token',
  'api_key',
  'apikey',
  'key',
  'x-api-key',
  'code',
  'recovery_code',
  'otp',
]);

/**
 * The documented exceptions: `POST /auth/refresh?refresh_token=` for the original tutorial's clients,
 * and the `?token=` of the links in mails, which open plain pages served by Gatehouse (API.md).
 */
export const CREDENTIAL_QUERY_EXCEPTIONS: ReadonlyArray<{
  method: string;
  path: string;
  parameter: string;
}> = [
  { method: 'POST', path: '/auth/refresh', parameter: 'refresh_token' },
  { method: 'GET', path: '/reset-password', parameter: 'token' },
  { method: 'GET', path: '/verify-email', parameter: 'token' },
];

/** The credential a URL's query string carries, if any (only the name: never its value). */
export function credentialInQuery(method: string, url: string): string | undefined {
  const mark = url.indexOf('?');
  if (mark < 0) return undefined;
  const path = url.slice(0, mark);
  for (const pair of url.slice(mark + 1).split('&')) {
    const rawName = pair.split('=', 1)[0].replace(/\+/g, ' ');
    let name: string;
    try {
      name = decodeURIComponent(rawName);
    } catch {
      name = rawName;
    }
    name = name.replace(/\[.*$/, '').trim().toLowerCase();
    if (!CREDENTIAL_QUERY_PARAMETERS.has(name)) continue;
    const excepted = CREDENTIAL_QUERY_EXCEPTIONS.some(
      (exception) =>
        exception.method === method && exception.path === path && exception.parameter === name,
    );
    if (!excepted) return name;
  }
  return undefined;
}

export interface RequestPolicyConfig {
  trustedHosts: string[];
  corsOrigins: string[];
  forceHttps: boolean;
}

/** What the pre-routing checks decided: headers to add, and an answer when the request goes no further. */
export interface PolicyOutcome {
  /** Shared between requests: read it, never change it. `NO_HEADERS` when there is nothing to add. */
  headers: Readonly<Record<string, string>>;
  reject?: AppError;
  redirect?: string;
  /** An allowed CORS preflight: answered 204 with the headers, never routed. */
  preflight?: boolean;
}

/** Nothing to add: the common case, one object for all requests. */
export const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});
const PASS: PolicyOutcome = Object.freeze({ headers: NO_HEADERS });

/** The Host header's name without port, lower case; `[::1]` keeps its brackets. */
export function hostNameOf(host: string | undefined): string | undefined {
  if (!host) return undefined;
  const value = host.trim().toLowerCase();
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(:\d{1,5})?$/.exec(value);
  return match?.[1];
}

export function isTrustedHost(host: string | undefined, trusted: string[]): boolean {
  const name = hostNameOf(host);
  if (!name) return false;
  return trusted.some(
    (pattern) =>
      pattern === '*' ||
      pattern === name ||
      (pattern.startsWith('*.') &&
        name.endsWith(pattern.slice(1)) &&
        name.length > pattern.length - 1),
  );
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return length.trim() !== '0';
  return req.headers['transfer-encoding'] !== undefined;
}

function mediaTypeOf(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

/** Whether the request came over HTTPS, as the framework sees it (X-Forwarded-Proto only from a trusted proxy). */
export type Protocol = 'http' | 'https' | string;

/** Host header values already judged, per configuration. Bounded: the header is the client's choice. */
const HOST_DECISIONS_MAX = 1000;
const hostDecisions = new WeakMap<readonly string[], Map<string, boolean>>();

function trustedHostCached(host: string | undefined, trusted: readonly string[]): boolean {
  if (host === undefined) return false;
  let decisions = hostDecisions.get(trusted);
  if (!decisions) hostDecisions.set(trusted, (decisions = new Map()));
  let decision = decisions.get(host);
  if (decision === undefined) {
    decision = isTrustedHost(host, trusted as string[]);
    if (decisions.size >= HOST_DECISIONS_MAX) decisions.clear();
    decisions.set(host, decision);
  }
  return decision;
}

/** The CORS headers of an ordinary (not preflight) request, per configured origin list and Origin. */
interface CorsAnswers {
  /** Any origin not on the list, or none: only `Vary: Origin`. */
  other: Readonly<Record<string, string>>;
  allowed: Map<string, Readonly<Record<string, string>>>;
}
const corsAnswers = new WeakMap<readonly string[], CorsAnswers>();

function corsAnswersFor(origins: readonly string[]): CorsAnswers {
  let answers = corsAnswers.get(origins);
  if (!answers) {
    answers = {
      other: Object.freeze({ Vary: 'Origin' }),
      allowed: new Map(
        origins.map((origin) => [
          origin,
          Object.freeze({
            Vary: 'Origin',
            'Access-Control-Allow-Origin': origin,
            'Access-Control-Expose-Headers': CORS_EXPOSED_HEADERS,
          }),
        ]),
      ),
    };
    corsAnswers.set(origins, answers);
  }
  return answers;
}

/**
 * The checks every request meets before routing, in this order: the Host header against
 * TRUSTED_HOSTS, plain HTTP against FORCE_HTTPS, CORS (headers for an allowlisted origin, preflights),
 * the method, credentials in the query string, and the body's media type. Pure: the adapters apply
 * the outcome. What is the same for every request (the Host decision per Host value, the CORS headers
 * per origin) is worked out once.
 */
export function checkRequest(
  req: IncomingMessage,
  protocol: Protocol,
  config: RequestPolicyConfig,
): PolicyOutcome {
  if (!trustedHostCached(req.headers.host, config.trustedHosts)) {
    return { headers: NO_HEADERS, reject: new AppError('UNTRUSTED_HOST') };
  }
  const path = req.url ?? '/';
  // The health check stays reachable over plain HTTP: container and load-balancer probes use it.
  if (config.forceHttps && protocol !== 'https' && path.split('?')[0] !== '/health') {
    return {
      headers: NO_HEADERS,
      redirect: `https://${req.headers.host}${path.startsWith('/') ? path : '/'}`,
    };
  }
  const method = (req.method ?? '').toUpperCase();
  let headers = NO_HEADERS;
  if (config.corsOrigins.length > 0) {
    // Answers differ by Origin, so caches must key on it, whatever the origin was.
    const answers = corsAnswersFor(config.corsOrigins);
    const origin = req.headers.origin;
    const allowedHeaders = typeof origin === 'string' ? answers.allowed.get(origin) : undefined;
    if (method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
      if (!allowedHeaders) {
        return { headers: answers.other, reject: new AppError('METHOD_NOT_ALLOWED') };
      }
      return {
        headers: {
          Vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
          'Access-Control-Allow-Origin': origin as string,
          'Access-Control-Allow-Methods': CORS_ALLOWED_METHODS,
          'Access-Control-Allow-Headers': CORS_ALLOWED_HEADERS,
          'Access-Control-Max-Age': CORS_MAX_AGE_SECONDS,
        },
        preflight: true,
      };
    }
    headers = allowedHeaders ?? answers.other;
  }
  const credential = credentialInQuery(method, path);
  if (credential) {
    return {
      headers,
      reject: new AppError(
        'CREDENTIALS_IN_URL',
        `Credentials do not belong in a URL: send ${credential} in the request body or a header, and treat it as exposed.`,
      ),
    };
  }
  // OPTIONS serves CORS preflights only; TRACE and other unrouted methods are refused outright.
  if (method === 'GET') {
    // The common case: a GET with no body is routed as it is.
    if (!hasBody(req)) return headers === NO_HEADERS ? PASS : { headers };
  }
  if (!ROUTED_METHODS.includes(method) || method === 'OPTIONS') {
    return { headers, reject: new AppError('METHOD_NOT_ALLOWED') };
  }
  if (hasBody(req) && !BODY_MEDIA_TYPES.includes(mediaTypeOf(req))) {
    return {
      headers,
      reject: new AppError(
        'UNSUPPORTED_MEDIA_TYPE',
        'Request bodies must be application/json or application/x-www-form-urlencoded.',
      ),
    };
  }
  return headers === NO_HEADERS ? PASS : { headers };
}

/** A UTF-16 surrogate without its pair: not Unicode text, so no database, hash or encoder takes it. */
const LONE_SURROGATE = /\p{Cs}/u;
const NOT_UNICODE = 'holds a lone UTF-16 surrogate, which is not valid Unicode text';

function hasNoOwnKeys(value: object): boolean {
  for (const key in value) if (Object.hasOwn(value, key)) return false;
  return true;
}

/**
 * Too deep, an array too long, or text that is not valid Unicode (a lone surrogate, which JSON's
 * `\ud800` escape can carry), in a value or a key: found without recursing past the limit.
 */
export function inputShapeProblem(value: unknown): string | undefined {
  // Most requests have no body and an empty query: answered without building the walk's stack.
  if (typeof value !== 'object' || value === null) {
    return typeof value === 'string' && LONE_SURROGATE.test(value) ? NOT_UNICODE : undefined;
  }
  if (!Array.isArray(value) && hasNoOwnKeys(value)) return undefined;
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop()!;
    if (typeof current === 'string' && LONE_SURROGATE.test(current)) return NOT_UNICODE;
    if (typeof current !== 'object' || current === null) continue;
    if (depth >= MAX_INPUT_DEPTH) return `is nested deeper than ${MAX_INPUT_DEPTH} levels`;
    if (Array.isArray(current) && current.length > MAX_ARRAY_LENGTH) {
      return `has an array of more than ${MAX_ARRAY_LENGTH} items`;
    }
    for (const [key, child] of Object.entries(current)) {
      if (LONE_SURROGATE.test(key)) return NOT_UNICODE;
      stack.push({ value: child, depth: depth + 1 });
    }
  }
  return undefined;
}
