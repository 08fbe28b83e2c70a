import type { DataSourceOptions } from 'typeorm';
import { migrations } from '../../migrations/index.js';
import { ApiKey } from '../api-keys/api-key.entity.js';
import { SecurityEvent } from '../audit/security-event.entity.js';
import { Session } from '../auth/session.entity.js';
import { Item } from '../items/item.entity.js';
import { MailMessage } from '../mail/mail-message.entity.js';
import { OAuthClient } from '../oauth-clients/oauth-client.entity.js';
import { SigningKey } from '../signing-keys/signing-key.entity.js';
import { pgDriver } from './pg-driver.js';
import { QueryLogger } from './query-logger.js';
import { MfaChallenge } from '../two-factor/mfa-challenge.entity.js';
import { RecoveryCode } from '../two-factor/recovery-code.entity.js';
import { TwoFactorCredential } from '../two-factor/two-factor-credential.entity.js';
import { EmailToken } from '../users/email-token.entity.js';
import { User } from '../users/user.entity.js';

export const entities = [
  User,
  Session,
  SecurityEvent,
  Item,
  TwoFactorCredential,
  RecoveryCode,
  MfaChallenge,
  ApiKey,
  EmailToken,
  MailMessage,
  SigningKey,
  OAuthClient,
];

export interface PoolOptions {
  /** Connections held at most (DATABASE_POOL_SIZE). */
  size?: number;
  /** Wait for a free or new connection at most this long, then fail (DATABASE_CONNECT_TIMEOUT_SECONDS). */
  connectTimeoutMs?: number;
}

/** One definition of the connection, shared by the app module and the migration CLI. */
export function dataSourceOptions(
  url: string,
  logging = false,
  pool: PoolOptions = {},
): DataSourceOptions {
  const size = pool.size ?? 10;
  return {
    type: 'postgres',
    driver: pgDriver,
    url,
    entities,
    migrations,
    migrationsTableName: 'migrations',
    synchronize: false,
    uuidExtension: 'pgcrypto',
    logger: new QueryLogger(logging),
    logging: true,
    maxQueryExecutionTime: 1000,
    extra: {
      max: size,
      // Opened connections are kept, not closed after pg-pool's 10 s of idleness: opening one costs a
      // backend process and a SCRAM exchange, which a burst after a quiet spell would otherwise pay
      // on its first requests (docs/performance.md, round 17).
      min: size,
      // Kept connections sit idle for long spells: probes find a dead peer, and keep NAT and
      // firewall mappings (often dropped after 4-10 idle minutes) from silently expiring.
      keepAlive: true,
      keepAliveInitialDelayMillis: 60_000,
      connectionTimeoutMillis: pool.connectTimeoutMs ?? 5000,
      application_name: 'gatehouse',
    },
  };
}
