/**
 * Who is calling, as the services record it: address (the socket's, or X-Forwarded-For under
 * TRUST_PROXY), user agent, and the known-device cookie (docs/security.md, "Lockout").
 */
export interface RequestClient {
  ip?: string;
  userAgent?: string;
  /** The `gatehouse_device` cookie the client sent (a secret: never logged or recorded). */
  device?: string;
  /** Set by a complete login when the client is to get a new known-device cookie. */
  issuedDevice?: string;
}

export const DEVICE_COOKIE = 'gatehouse_device';
/** Where the request's RequestClient is kept, so every reader of one request shares one object. */
export const CLIENT_INFO = Symbol('gatehouse.clientInfo');
const DEVICE_VALUE = /^[A-Za-z0-9_-]{43}$/;

export interface ClientRequestLike {
  ip?: string;
  headers: Record<string, unknown>;
  [CLIENT_INFO]?: RequestClient;
}

export function deviceCookieOf(header: unknown): string | undefined {
  if (typeof header !== 'string' || header.length > 8192) return undefined;
  for (const part of header.split(';')) {
    const [name, value] = part.trim().split('=', 2);
    if (name === DEVICE_COOKIE && value !== undefined && DEVICE_VALUE.test(value)) return value;
  }
  return undefined;
}

/** The request's client, built once per request. */
export function clientOf(request: ClientRequestLike): RequestClient {
  const userAgent = request.headers['user-agent'];
  request[CLIENT_INFO] ??= {
    ip: request.ip,
    userAgent: typeof userAgent === 'string' ? userAgent : undefined,
    device: deviceCookieOf(request.headers.cookie),
  };
  return request[CLIENT_INFO];
}
