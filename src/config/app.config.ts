import { registerAs } from '@nestjs/config';
import { type Env, readInt, readList, readString } from './env.js';

export interface AppConfig {
  env: string;
  host: string;
  port: number;
  name: string;
  version: string;
  corsOrigins: string[];
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

export function parseAppConfig(env: Env): AppConfig {
  return {
    env: readString(env, 'NODE_ENV', 'development'),
    host: readString(env, 'HOST', '127.0.0.1'),
    port: readInt(env, 'PORT', 8000, { min: 0, max: 65535 }),
    name: APP_NAME,
    version: APP_VERSION,
    corsOrigins: readList(env, 'CORS_ORIGINS', []),
    trustedHosts: readList(env, 'TRUSTED_HOSTS', ['localhost', '127.0.0.1']),
    trustProxy: parseTrustProxy(env),
  };
}

export const appConfig = registerAs('app', () => parseAppConfig(process.env));
