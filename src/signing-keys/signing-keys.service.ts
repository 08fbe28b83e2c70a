import { hash, createPrivateKey, createPublicKey } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, LessThan, Not, Equal, MoreThan } from 'typeorm';
import { SecurityEventsService } from '../audit/security-events.service.js';
import type { RequestClient } from '../common/http/client-info.js';
import { SECRET_BOX_PURPOSES, SecretBox } from '../common/secret-box.js';
import {
  authConfig,
  type AuthConfig,
  isHmacAlgorithm,
  type JwtAlgorithm,
} from '../config/auth.config.js';
import {
  type DatabaseChannel,
  DatabaseEvents,
  type DatabaseEventListener,
  SIGNING_KEYS_CHANGED_CHANNEL,
} from '../database/database-events.js';
import { keyStates, type KeyStatus, type SigningKeyState } from './key-states.js';
import { SigningKey } from './signing-key.entity.js';

/** What signs or verifies: a PEM (key pairs) or the secret itself (HS), with its kid and algorithm. */
export interface JwtKey {
  kid: string;
  algorithm: JwtAlgorithm;
  /** The private PEM or the HS secret (signing); the public PEM or the HS secret (verifying). */
  key: string;
}

/** One row of `GET /admin/signing-keys` (and the CLI's `keys list`). */
export interface SigningKeyView {
  kid: string;
  algorithm: string;
  state: SigningKeyState;
  created_at: string | null;
  activates_at: string | null;
  retired_at: string | null;
  published_until: string | null;
}

interface LoadedKey {
  kid: string;
  algorithm: JwtAlgorithm;
  createdAt: Date;
  activatesAt: Date;
  publicJwk: Record<string, string>;
  publicPem: string;
  privatePem: string;
}

/** Serialises key creation across every instance (pg_advisory_xact_lock). */
const ROTATION_LOCK = 'gatehouse:signing-keys';
/** How often each instance checks whether a scheduled rotation is due (one query). */
const SCHEDULE_CHECK_MS = 60_000;
/** Expired keys are deleted this long after their last token expired. */
const PRUNE_AFTER_MS = 86_400_000;

/** RFC 7638-style thumbprint of an HS secret: names the secret without revealing it. */
export function hmacKid(secret: string): string {
  const k = Buffer.from(secret).toString('base64url');
  return hash('sha256', `{"k":"${k}","kty":"oct"}`, 'base64url');
}

/**
 * The keys that sign and verify access tokens. With an HS `ALGORITHM` they are SECRET_KEY (signing)
 * and PREVIOUS_SECRET_KEYS (verification only). With ES256, EdDSA or RS256 they are key pairs kept in
 * PostgreSQL, private halves sealed with AES-256-GCM: created at start-up when none can sign, rotated
 * on demand or on schedule under an advisory lock (so replicas never race each other into two keys),
 * published before they sign and after they stop. Every instance keeps the decrypted ring in memory
 * and reloads it when the table's NOTIFY says it changed.
 */
@Injectable()
export class SigningKeysService
  implements OnApplicationBootstrap, OnApplicationShutdown, DatabaseEventListener
{
  private readonly logger = new Logger(SigningKeysService.name);
  private readonly box?: SecretBox;
  private readonly hmacKeys: JwtKey[];
  private ring: LoadedKey[] = [];
  private timer?: NodeJS.Timeout;
  private lastReload = 0;
  /** Bumped whenever the set of keys may have changed (verifiers built from keys drop theirs). */
  version = 0;

  constructor(
    @Inject(authConfig.KEY) private readonly config: AuthConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly events: DatabaseEvents,
    private readonly audit: SecurityEventsService,
  ) {
    const algorithm = config.algorithm;
    this.hmacKeys = isHmacAlgorithm(algorithm)
      ? [config.secretKey, ...config.previousSecretKeys].map((secret) => ({
          kid: hmacKid(secret),
          algorithm,
          key: secret,
        }))
      : [];
    if (!this.usesKeyPairs) return;
    this.box = new SecretBox(config.signingKeyEncryptionKey!, SECRET_BOX_PURPOSES.signingKey);
    events.subscribe(this);
  }

  get usesKeyPairs(): boolean {
    return !isHmacAlgorithm(this.config.algorithm);
  }

  /** Longest life of a token signed with these keys (access, enrolment, client tokens), with tolerance. */
  private get tokenLifetimeMs(): number {
    return (this.config.accessTokenTtlSeconds + this.config.clockToleranceSeconds) * 1000;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.usesKeyPairs) return;
    // At start-up a key that cannot be opened means the wrong SIGNING_KEY_ENCRYPTION_KEY (or a tampered
    // row): refuse to start rather than serve without the keys the other instances sign with. Checked
    // before a key can be created, so a misconfigured instance never stores one its replicas cannot open.
    const unopened = await this.reload();
    if (unopened.length > 0) {
      throw new Error(
        `SIGNING_KEY_ENCRYPTION_KEY does not open the stored signing key(s) ${unopened.join(', ')}: ` +
          'start with the key they were sealed with (see docs/tokens.md, "Keys")',
      );
    }
    await this.withLock((manager) => this.ensureSigningKey(manager));
    await this.reload();
    if (this.config.signingKeyRotationDays !== undefined) {
      this.timer = setInterval(
        () => void this.rotateIfDue().catch(() => undefined),
        SCHEDULE_CHECK_MS,
      );
      this.timer.unref();
    }
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** The key that signs now. */
  signingKey(now = Date.now()): JwtKey {
    if (!this.usesKeyPairs) return this.hmacKeys[0];
    const active = this.statuses(now).find((status) => status.state === 'active')?.key;
    if (!active) throw new Error('no active signing key');
    return { kid: active.kid, algorithm: active.algorithm, key: active.privatePem };
  }

  /** Every key a token may be verified with now: current and previous HS secrets, or published key pairs. */
  verificationKeys(now = Date.now()): JwtKey[] {
    if (!this.usesKeyPairs) return this.hmacKeys;
    return this.statuses(now)
      .filter((status) => status.state !== 'expired')
      .map(({ key }) => ({ kid: key.kid, algorithm: key.algorithm, key: key.publicPem }));
  }

  /**
   * A key this instance does not know may be one another instance created while this one's event
   * connection was down: reload then, at most once every few seconds (unknown kids cost no query each).
   */
  async refreshForUnknownKid(): Promise<boolean> {
    if (!this.usesKeyPairs || (this.events.connected && this.ring.length > 0)) return false;
    if (Date.now() - this.lastReload < 5000) return false;
    await this.reload();
    return true;
  }

  /** RFC 7517 key set: public halves of the published key pairs (empty with an HS algorithm). */
  jwks(now = Date.now()): { keys: Record<string, string>[] } {
    if (!this.usesKeyPairs) return { keys: [] };
    return {
      keys: this.statuses(now)
        .filter((status) => status.state !== 'expired')
        .map(({ key }) => ({ ...key.publicJwk, kid: key.kid, alg: key.algorithm, use: 'sig' })),
    };
  }

  /** Seconds a relying party may cache the key set: less than the publication delay. */
  get jwksMaxAgeSeconds(): number {
    return Math.min(300, Math.floor(this.config.signingKeyPublishSeconds / 2));
  }

  /** Every key with its state and dates, newest first (from the database, not this instance's memory). */
  async list(): Promise<SigningKeyView[]> {
    if (!this.usesKeyPairs) {
      return this.hmacKeys.map((key, index) => ({
        kid: key.kid,
        algorithm: key.algorithm,
        state: index === 0 ? 'active' : 'retired',
        created_at: null,
        activates_at: null,
        retired_at: null,
        published_until: null,
      }));
    }
    const rows = await this.dataSource.getRepository(SigningKey).find();
    return keyStates(rows, this.stateOptions(Date.now()))
      .sort((a, b) => b.key.createdAt.getTime() - a.key.createdAt.getTime())
      .map(toView);
  }

  /**
   * A new key pair, published now and signing after SIGNING_KEY_PUBLISH_SECONDS. While one is already
   * waiting to sign, that one is the answer: repeated or concurrent requests never pile up keys.
   */
  async rotate(
    actor: { actorId?: string; reason: 'manual' | 'scheduled'; client?: RequestClient } = {
      reason: 'manual',
    },
  ) {
    if (!this.usesKeyPairs) return undefined;
    const { kid, created } = await this.withLock(async (manager) => {
      const pending = await manager.findOne(SigningKey, {
        where: { activatesAt: MoreThan(new Date()), algorithm: this.config.algorithm },
        order: { activatesAt: 'DESC' },
      });
      if (pending) return { kid: pending.kid, created: false };
      await this.prune(manager);
      const delayMs = this.config.signingKeyPublishSeconds * 1000;
      return { kid: await this.createKey(manager, delayMs), created: true };
    });
    await this.reload();
    if (created) {
      await this.audit.record({
        type: 'signing_key.rotated',
        actorId: actor.actorId,
        ...actor.client,
        details: { kid, algorithm: this.config.algorithm, reason: actor.reason },
      });
    }
    return (await this.list()).find((key) => key.kid === kid)!;
  }

  /** Scheduled rotation: when the newest key is older than SIGNING_KEY_ROTATION_DAYS. */
  async rotateIfDue(): Promise<void> {
    const days = this.config.signingKeyRotationDays;
    if (!this.usesKeyPairs || days === undefined) return;
    const newest = await this.dataSource
      .getRepository(SigningKey)
      .findOne({ where: { algorithm: this.config.algorithm }, order: { createdAt: 'DESC' } });
    if (newest && Date.now() - newest.createdAt.getTime() < days * 86_400_000) return;
    // Checked again under the lock: another instance may have rotated meanwhile.
    const created = await this.withLock(async (manager) => {
      const latest = await manager.findOne(SigningKey, {
        where: { algorithm: this.config.algorithm },
        order: { createdAt: 'DESC' },
      });
      if (latest && Date.now() - latest.createdAt.getTime() < days * 86_400_000) return undefined;
      await this.prune(manager);
      return this.createKey(manager, this.config.signingKeyPublishSeconds * 1000);
    });
    if (created) {
      await this.reload();
      await this.audit.record({
        type: 'signing_key.rotated',
        details: { kid: created, algorithm: this.config.algorithm, reason: 'scheduled' },
      });
    }
  }

  onEvent(channel: DatabaseChannel): void {
    if (channel === SIGNING_KEYS_CHANGED_CHANNEL) void this.reload().catch(() => undefined);
  }

  async onResync(): Promise<void> {
    if (this.events.connected) await this.reload().catch(() => undefined);
  }

  /**
   * Start-up: pending keys of another algorithm never signed anything and go; when no key of the
   * configured algorithm is the newest activated one, a new key signs at once (there is nothing
   * published yet that a relying party could have cached instead).
   */
  private async ensureSigningKey(manager: EntityManager): Promise<void> {
    const algorithm = this.config.algorithm;
    await manager.delete(SigningKey, {
      activatesAt: MoreThan(new Date()),
      algorithm: Not(Equal(algorithm)),
    });
    const newest = await manager.findOne(SigningKey, {
      where: { activatesAt: LessThan(new Date()) },
      order: { activatesAt: 'DESC' },
    });
    if (newest?.algorithm !== algorithm) await this.createKey(manager, 0);
  }

  private async createKey(manager: EntityManager, delayMs: number): Promise<string> {
    // Loaded here, not at start-up: only a first start with a key-pair algorithm and a rotation make
    // keys, and importing jose's 47 modules took 110-213 ms of every start on our 2-core VM.
    const { calculateJwkThumbprint, exportJWK, exportPKCS8, generateKeyPair } =
      await import('jose');
    const algorithm = this.config.algorithm;
    const { publicKey, privateKey } = await generateKeyPair(algorithm, {
      extractable: true,
      ...(algorithm === 'EdDSA' ? { crv: 'Ed25519' } : {}),
    });
    const publicJwk = (await exportJWK(publicKey)) as Record<string, string>;
    const kid = await calculateJwkThumbprint(publicJwk);
    const privatePem = await exportPKCS8(privateKey);
    const now = new Date();
    await manager.insert(SigningKey, {
      kid,
      algorithm,
      publicJwk,
      privateKey: this.box!.seal(privatePem, kid),
      createdAt: now,
      activatesAt: new Date(now.getTime() + delayMs),
    });
    this.logger.log(
      `signing key ${kid} (${algorithm}) created; it signs from ${new Date(now.getTime() + delayMs).toISOString()}`,
    );
    return kid;
  }

  /** Keys whose every token expired more than a day ago. */
  private async prune(manager: EntityManager): Promise<void> {
    const rows = await manager.find(SigningKey);
    const gone = keyStates(rows, this.stateOptions(Date.now() - PRUNE_AFTER_MS))
      .filter((status) => status.state === 'expired')
      .map((status) => status.key.kid);
    if (gone.length > 0) await manager.delete(SigningKey, gone);
  }

  /** Loads the key ring; answers the kids that could not be opened (they are left out of the ring). */
  private async reload(): Promise<string[]> {
    this.lastReload = Date.now();
    const rows = await this.dataSource
      .getRepository(SigningKey)
      .createQueryBuilder('key')
      .addSelect('key.privateKey')
      .getMany();
    const ring: LoadedKey[] = [];
    const unopened: string[] = [];
    for (const row of rows) {
      try {
        const privatePem = this.box!.open(row.privateKey!, row.kid);
        const publicPem = createPublicKey({ key: row.publicJwk, format: 'jwk' })
          .export({ type: 'spki', format: 'pem' })
          .toString();
        createPrivateKey(privatePem);
        ring.push({
          kid: row.kid,
          algorithm: row.algorithm as JwtAlgorithm,
          createdAt: row.createdAt,
          activatesAt: row.activatesAt,
          publicJwk: row.publicJwk,
          publicPem,
          privatePem,
        });
      } catch {
        // Sealed with another SIGNING_KEY_ENCRYPTION_KEY or tampered: never used.
        unopened.push(row.kid);
        this.logger.warn(
          `signing key ${row.kid} cannot be opened with SIGNING_KEY_ENCRYPTION_KEY; ignored`,
        );
      }
    }
    this.ring = ring;
    this.version++;
    return unopened;
  }

  private statuses(now: number): KeyStatus<LoadedKey>[] {
    return keyStates(this.ring, this.stateOptions(now));
  }

  private stateOptions(now: number) {
    return { now, algorithm: this.config.algorithm, tokenLifetimeMs: this.tokenLifetimeMs };
  }

  private withLock<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [ROTATION_LOCK]);
      return work(manager);
    });
  }
}

function toView(status: KeyStatus): SigningKeyView {
  const iso = (date: Date | undefined) => (date ? date.toISOString() : null);
  return {
    kid: status.key.kid,
    algorithm: status.key.algorithm,
    state: status.state,
    created_at: iso(status.key.createdAt),
    activates_at: iso(status.key.activatesAt),
    retired_at: iso(status.retiredAt),
    published_until: iso(status.publishedUntil),
  };
}
