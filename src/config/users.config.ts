import { registerAs } from '@nestjs/config';
import { passwordProblem } from '../users/password-policy.js';
import { ConfigError, type Env, isProduction, readInt, readOptional } from './env.js';

export interface BootstrapAdmin {
  email: string;
  username: string;
  password: string;
}

export interface UsersConfig {
  passwordHashRounds: number;
  /** Consecutive failed logins that lock an account, and for how long. */
  lockoutThreshold: number;
  lockoutMinutes: number;
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
  if (given === 3) {
    const length = [...(admin.password ?? '')].length;
    const problem =
      length < 8 || length > 128
        ? 'must be 8 to 128 characters long'
        : passwordProblem(admin.password!, admin as BootstrapAdmin);
    if (problem) throw new ConfigError(`ADMIN_PASSWORD ${problem}`);
  }
  return {
    passwordHashRounds,
    lockoutThreshold: readInt(env, 'LOCKOUT_THRESHOLD', 10, { min: 1, max: 1000 }),
    lockoutMinutes: readInt(env, 'LOCKOUT_MINUTES', 15, { min: 1, max: 7 * 24 * 60 }),
    bootstrapAdmin: given === 3 ? (admin as BootstrapAdmin) : undefined,
  };
}

export const usersConfig = registerAs('users', () => parseUsersConfig(process.env));
