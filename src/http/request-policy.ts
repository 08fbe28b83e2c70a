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
  headers: Record<string, string>;
  reject?: AppError;
  redirect?: string;
  /** An allowed CORS preflight: answered 204 with the headers, never routed. */
  preflight?: boolean;
}

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

/**
 * The checks every request meets before routing, in this order: the Host header against
 * TRUSTED_HOSTS, plain HTTP against FORCE_HTTPS, CORS (headers for an allowlisted origin, preflights),
 * the method, credentials in the query string, and the body's media type. Pure: the adapters apply the outcome.
 */
export function checkRequest(
  req: IncomingMessage,
  protocol: Protocol,
  config: RequestPolicyConfig,
): PolicyOutcome {
  const headers: Record<string, string> = {};
  if (!isTrustedHost(req.headers.host, config.trustedHosts)) {
    return {
      headers,
      reject: new AppError('UNTRUSTED_HOST'),
    };
  }
  const path = req.url ?? '/';
  // The health check stays reachable over plain HTTP: container and load-balancer probes use it.
  if (config.forceHttps && protocol !== 'https' && path.split('?')[0] !== '/health') {
    return { headers, redirect: `https://${req.headers.host}${path.startsWith('/') ? path : '/'}` };
  }
  const method = (req.method ?? '').toUpperCase();
  if (config.corsOrigins.length > 0) {
    // Answers differ by Origin, so caches must key on it, whatever the origin was.
    headers.Vary = 'Origin';
    const origin = req.headers.origin;
    const allowed = typeof origin === 'string' && config.corsOrigins.includes(origin);
    if (allowed) headers['Access-Control-Allow-Origin'] = origin;
    if (method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
      if (!allowed) return { headers, reject: new AppError('METHOD_NOT_ALLOWED') };
      Object.assign(headers, {
        Vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
        'Access-Control-Allow-Methods': CORS_ALLOWED_METHODS,
        'Access-Control-Allow-Headers': CORS_ALLOWED_HEADERS,
        'Access-Control-Max-Age': CORS_MAX_AGE_SECONDS,
      });
      return { headers, preflight: true };
    }
    if (allowed) headers['Access-Control-Expose-Headers'] = CORS_EXPOSED_HEADERS;
  }
  // OPTIONS serves CORS preflights only; TRACE and other unrouted methods are refused outright.
  if (!ROUTED_METHODS.includes(method) || method === 'OPTIONS') {
    return { headers, reject: new AppError('METHOD_NOT_ALLOWED') };
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
  if (hasBody(req) && !BODY_MEDIA_TYPES.includes(mediaTypeOf(req))) {
    return {
      headers,
      reject: new AppError(
        'UNSUPPORTED_MEDIA_TYPE',
        'Request bodies must be application/json or application/x-www-form-urlencoded.',
      ),
    };
  }
  return { headers };
}

/** A UTF-16 surrogate without its pair: not Unicode text, so no database, hash or encoder takes it. */
const LONE_SURROGATE = /\p{Cs}/u;
const NOT_UNICODE = 'holds a lone UTF-16 surrogate, which is not valid Unicode text';

/**
 * Too deep, an array too long, or text that is not valid Unicode (a lone surrogate, which JSON's
 * `\ud800` escape can carry), in a value or a key: found without recursing past the limit.
 */
export function inputShapeProblem(value: unknown): string | undefined {
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
