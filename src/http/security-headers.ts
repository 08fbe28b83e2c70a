import type { ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * The security headers on every response, errors and 404s included. Swagger UI at /docs loads its
 * scripts and styles from this origin, styles some elements inline and uses data: images; it calls
 * the API on the same origin, so `connect-src 'self'` (from `default-src`) is enough for Authorize.
 */
export function securityHeaderOptions(options: { forceHttps: boolean }): HelmetOptions {
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'base-uri': ["'self'"],
        'connect-src': ["'self'"],
        'font-src': ["'self'", 'data:'],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
        'img-src': ["'self'", 'data:'],
        'object-src': ["'none'"],
        'script-src': ["'self'"],
        'script-src-attr': ["'none'"],
        'style-src': ["'self'", "'unsafe-inline'"],
        // Only when the service is HTTPS-only: on plain http://localhost it would break /docs.
        ...(options.forceHttps ? { 'upgrade-insecure-requests': [] } : {}),
      },
    },
    // One year, subdomains included (browsers ignore it on plain HTTP, so it is harmless there).
    strictTransportSecurity: { maxAge: 365 * 24 * 60 * 60, includeSubDomains: true },
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
    // Nothing of the API is meant to be embedded by other sites; CORS still governs fetch().
    crossOriginResourcePolicy: { policy: 'same-origin' },
    crossOriginOpenerPolicy: { policy: 'same-origin' },
  };
}

/**
 * The security headers, the same on every response: names lower-cased (as Fastify keeps its reply
 * headers), and the names helmet removes (X-Powered-By, which Express sets).
 */
export interface SecurityHeaders {
  readonly values: Readonly<Record<string, string>>;
  readonly removed: readonly string[];
}

/**
 * Helmet's output for these options, computed once: with no nonce or per-request function among the
 * options, helmet sets the same names and values on every response, so they are read off one run of
 * its middleware and then set directly (helmet per request rebuilt and revalidated them each time).
 */
export function securityHeaders(options: { forceHttps: boolean }): SecurityHeaders {
  const values: Record<string, string> = {};
  const removed: string[] = [];
  const recorder = {
    setHeader(name: string, value: unknown) {
      values[name.toLowerCase()] = String(value);
    },
    removeHeader(name: string) {
      removed.push(name);
    },
  };
  let finished = false;
  helmet(securityHeaderOptions(options))({} as never, recorder as never, (error?: unknown) => {
    if (error) throw error;
    finished = true;
  });
  if (!finished) throw new Error('helmet did not finish synchronously');
  return { values: Object.freeze(values), removed: Object.freeze(removed) };
}

/** Sets them on a node response through its per-header API (the Express path). */
export function setSecurityHeaders(res: ServerResponse, headers: SecurityHeaders): void {
  for (const name of headers.removed) res.removeHeader(name);
  for (const name in headers.values) res.setHeader(name, headers.values[name]);
}
