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
 * the method, and the body's media type. Pure: the adapters apply the outcome. What is the same for
 * every request (the Host decision per Host value, the CORS headers per origin) is worked out once.
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
