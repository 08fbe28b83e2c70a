import { registerAs } from '@nestjs/config';
import { ConfigError, type Env, isProduction, readInt, readOptional } from './env.js';

export interface BootstrapAdmin {
  email: string;
  username: string;
  password: string;
}

export interface UsersConfig {
  passwordHashRounds: number;
  bootstrapAdmin?: BootstrapAdmin;
}

export function parseUsersConfig(env: Env): UsersConfig {
  const passwordHashRounds = readInt(env, 'PASSWORD_HASH_ROUNDS', 12, { min: 4, max: 17 });
  if (isProduction(env) && passwordHashRounds < 10) {
    throw new ConfigError('PASSWORD_HASH_ROUNDS must be at least 10 in production');
  }
  const admin = {
    email: readOptional(env, 'ADMIN_EMAIL'),
    username: readOptional(env, 'ADMIN_USERNAME'),
    password: readOptional(env, 'ADMIN_PASSWORD'),
  };
  const given = Object.values(admin).filter(Boolean).length;
  if (given > 0 && given < 3) {
    throw new ConfigError('ADMIN_EMAIL, ADMIN_USERNAME and ADMIN_PASSWORD must be set together');
  }
  return {
    passwordHashRounds,
    bootstrapAdmin: given === 3 ? (admin as BootstrapAdmin) : undefined,
  };
}

export const usersConfig = registerAs('users', () => parseUsersConfig(process.env));
