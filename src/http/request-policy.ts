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
 * the method, and the body's media type. Pure: the adapters apply the outcome.
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

/** Too deep, or an array too long: found without recursing past the limit. */
export function inputShapeProblem(value: unknown): string | undefined {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth >= MAX_INPUT_DEPTH) return `is nested deeper than ${MAX_INPUT_DEPTH} levels`;
    if (Array.isArray(current) && current.length > MAX_ARRAY_LENGTH) {
      return `has an array of more than ${MAX_ARRAY_LENGTH} items`;
    }
    for (const child of Object.values(current)) stack.push({ value: child, depth: depth + 1 });
  }
  return undefined;
}
