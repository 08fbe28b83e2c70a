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
}

export const APP_NAME = 'Gatehouse';
export const APP_VERSION = '0.1.0';

export function parseAppConfig(env: Env): AppConfig {
  return {
    env: readString(env, 'NODE_ENV', 'development'),
    host: readString(env, 'HOST', '127.0.0.1'),
    port: readInt(env, 'PORT', 8000, { min: 0, max: 65535 }),
    name: APP_NAME,
    version: APP_VERSION,
    corsOrigins: readList(env, 'CORS_ORIGINS', []),
    trustedHosts: readList(env, 'TRUSTED_HOSTS', ['localhost', '127.0.0.1']),
  };
}

export const appConfig = registerAs('app', () => parseAppConfig(process.env));
