import { registerAs } from '@nestjs/config';
import { ConfigError, type Env, readInt, readList, readNodeEnv, readString } from './env.js';

export interface AppConfig {
  env: string;
  host: string;
  port: number;
  name: string;
  version: string;
  /** Origins allowed cross-origin access, exact (`https://app.example.com`); empty: none. */
  corsOrigins: string[];
  /** Allowed Host header values without port: names, `*.example.com` patterns, or `*` for any. */
  trustedHosts: string[];
  /** Whose `X-Forwarded-*` headers to believe: nobody's by default, so clients cannot pick their own address. */
  trustProxy: boolean | number | string[];
}

export const APP_NAME = 'Gatehouse';
export const APP_VERSION = '0.1.0';

/** TRUST_PROXY: unset/false, true (any proxy), a hop count, or a comma list of proxy addresses/CIDRs. */
function parseTrustProxy(env: Env): boolean | number | string[] {
  const raw = readString(env, 'TRUST_PROXY', 'false').toLowerCase();
  if (['false', '0', 'no', 'off'].includes(raw)) return false;
  if (['true', 'yes', 'on'].includes(raw)) return true;
  if (/^\d+$/.test(raw)) return readInt(env, 'TRUST_PROXY', 0, { min: 1, max: 20 });
  return readList(env, 'TRUST_PROXY', []);
}

/**
 * CORS_ORIGINS: exact origins (`https://app.example.com`, `http://localhost:3000`). A wildcard, a path
 * or `null` is refused: the allowlist is echoed one origin at a time, never as `*`.
 */
function parseCorsOrigins(env: Env): string[] {
  return readList(env, 'CORS_ORIGINS', []).map((origin) => {
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      url = undefined;
    }
    if (
      !url ||
      !['http:', 'https:'].includes(url.protocol) ||
      url.origin !== origin.replace(/\/$/, '').toLowerCase()
    ) {
      throw new ConfigError(
        `CORS_ORIGINS must list origins such as https://app.example.com (scheme, host, optional port; no path, no *), got "${origin}"`,
      );
    }
    return url.origin;
  });
}

const HOST_PATTERN =
  /^(\*|(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])$/;

/** TRUSTED_HOSTS: host names without port, `*.example.com` for any subdomain, or `*` for any host. */
function parseTrustedHosts(env: Env): string[] {
  const hosts = readList(env, 'TRUSTED_HOSTS', ['localhost', '127.0.0.1']).map((host) =>
    host.toLowerCase(),
  );
  if (hosts.length === 0) {
    throw new ConfigError('TRUSTED_HOSTS must list at least one host name (or * for any)');
  }
  for (const host of hosts) {
    if (!HOST_PATTERN.test(host)) {
      throw new ConfigError(
        `TRUSTED_HOSTS must list host names without port (api.example.com, *.example.com, 127.0.0.1, [::1] or *), got "${host}"`,
      );
    }
  }
  return hosts;
}

export function parseAppConfig(env: Env): AppConfig {
  return {
    env: readNodeEnv(env),
    host: readString(env, 'HOST', '127.0.0.1'),
    port: readInt(env, 'PORT', 8000, { min: 0, max: 65535 }),
    name: APP_NAME,
    version: APP_VERSION,
    corsOrigins: parseCorsOrigins(env),
    trustedHosts: parseTrustedHosts(env),
    trustProxy: parseTrustProxy(env),
  };
}

export const appConfig = registerAs('app', () => parseAppConfig(process.env));
