import { createVerifier } from 'fast-jwt';
import type { JwtKey } from '../signing-keys/signing-keys.service.js';

export interface JwtVerifierOptions {
  issuer: string;
  audience: string;
  clockToleranceSeconds: number;
  /** The keys a token may name by `kid` now (read again when `version` changes, or after a while). */
  keys: () => readonly JwtKey[];
  version: () => number;
  /**
   * Tokens signed before every header carried a `kid` (HS only): verified with this key alone, so an
   * upgrade logs nobody out. With key pairs there is none: a token without a kid is refused.
   */
  keyWithoutKid?: () => JwtKey | undefined;
  /** Remember verified tokens (default true); refresh tokens are used once, so theirs is off. */
  remember?: boolean;
  /** Asked when a token names an unknown kid: reloads the keys if that may help (true when it did). */
  reloadKeys?: () => Promise<boolean>;
}

type VerifyFn = (token: string) => Record<string, unknown>;

/** Re-reads the key set at least this often, so a key that expired stops verifying without an event. */
const REBUILD_MS = 10_000;
/** This many verified tokens are remembered (each until its own `exp`), the oldest dropped first. */
const CACHE_SIZE = 5000;

interface Verified {
  claims: Readonly<Record<string, unknown>>;
  /** The key that verified it: the entry holds only while that key still does. */
  kid: string | undefined;
  /** From `nbf` (minus the tolerance) to `exp` (plus the tolerance), in ms. */
  validFrom: number;
  validUntil: number;
}

/** The `kid` of a compact JWS header, or undefined when there is none; throws on garbage. */
function headerKid(token: string): string | undefined {
  const end = token.indexOf('.');
  if (end <= 0) throw new Error('not a JWT');
  const header: unknown = JSON.parse(Buffer.from(token.slice(0, end), 'base64url').toString());
  if (typeof header !== 'object' || header === null) throw new Error('bad header');
  const kid = (header as { kid?: unknown }).kid;
  if (kid === undefined) return undefined;
  if (typeof kid !== 'string') throw new Error('bad kid');
  return kid;
}

/**
 * Verifies signed JWTs with fast-jwt: one synchronous verifier per key (node:crypto with a prepared
 * KeyObject, and a bounded cache of tokens already verified), chosen by the header's `kid`. Each
 * verifier pins its key's one algorithm, so `alg: none`, an HS token "signed" with a public key, or
 * any other algorithm is refused; `exp` is required, `exp`/`nbf`/`iat` are checked with the clock
 * tolerance, `iss` and `aud` must match exactly. The token type is the caller's check.
 */
export class KeyedJwtVerifier {
  /**
   * Tokens verified before, by their exact text: a client sends the same token on every request until
   * it expires, and its signature, header and claims cannot have changed. Checked on each hit: its
   * validity window and that its key is still one this instance verifies with.
   */
  private readonly verified = new Map<string, Verified>();
  private verifiers = new Map<string, VerifyFn>();
  private legacy?: VerifyFn;
  private builtVersion = -1;
  private builtAt = 0;

  constructor(private readonly options: JwtVerifierOptions) {}

  /** The claims of a genuine, current token, or undefined for anything else. */
  verify(token: string): Record<string, unknown> | undefined {
    this.rebuildIfStale();
    const now = Date.now();
    const known = this.verified.get(token);
    if (known) {
      const keyHolds =
        known.kid === undefined ? this.legacy !== undefined : this.verifiers.has(known.kid);
      if (keyHolds && now >= known.validFrom && now <= known.validUntil) return known.claims;
      this.verified.delete(token);
    }
    try {
      const kid = headerKid(token);
      const verify = this.verifierFor(kid);
      if (!verify) return undefined;
      const claims = Object.freeze(verify(token));
      if (this.options.remember !== false) this.remember(token, claims, kid, now);
      return claims;
    } catch {
      return undefined;
    }
  }

  private remember(
    token: string,
    claims: Readonly<Record<string, unknown>>,
    kid: string | undefined,
    now: number,
  ): void {
    const tolerance = this.options.clockToleranceSeconds * 1000;
    const { exp, nbf } = claims as { exp?: unknown; nbf?: unknown };
    // fast-jwt required `exp`; a token without a number there is not remembered.
    if (typeof exp !== 'number') return;
    if (this.verified.size >= CACHE_SIZE) {
      this.verified.delete(this.verified.keys().next().value as string);
    }
    this.verified.set(token, {
      claims,
      kid,
      validFrom: typeof nbf === 'number' ? nbf * 1000 - tolerance : now,
      validUntil: exp * 1000 + tolerance,
    });
  }

  /**
   * verify(), and when the token names a kid this instance does not know yet (another instance just
   * created it, and this one's notification is late), once more after reloading the keys.
   */
  async verifyCurrent(token: string): Promise<Record<string, unknown> | undefined> {
    return this.verify(token) ?? (await this.retryWithReloadedKeys(token));
  }

  /**
   * For a token verify() refused: when it names a kid this instance does not know, verify once more
   * after the keys were reloaded, if the reloader says that can help (SigningKeysService.refreshForUnknownKid).
   */
  async retryWithReloadedKeys(token: string): Promise<Record<string, unknown> | undefined> {
    if (!this.options.reloadKeys || !this.hasUnknownKid(token)) return undefined;
    return (await this.options.reloadKeys()) ? this.verify(token) : undefined;
  }

  private hasUnknownKid(token: string): boolean {
    try {
      const kid = headerKid(token);
      return kid !== undefined && this.verifierFor(kid) === undefined;
    } catch {
      return false;
    }
  }

  private verifierFor(kid: string | undefined): VerifyFn | undefined {
    this.rebuildIfStale();
    return kid === undefined ? this.legacy : this.verifiers.get(kid);
  }

  private rebuildIfStale(): void {
    const now = Date.now();
    if (this.builtVersion === this.options.version() && now - this.builtAt < REBUILD_MS) return;
    const previous = this.verifiers;
    const next = new Map<string, VerifyFn>();
    for (const key of this.options.keys()) {
      // Same key and algorithm as before: keep the verifier and its cache.
      next.set(key.kid, previous.get(key.kid) ?? this.build(key));
    }
    const legacyKey = this.options.keyWithoutKid?.();
    this.legacy = legacyKey && (next.get(legacyKey.kid) ?? this.build(legacyKey));
    this.verifiers = next;
    // A key that left the set takes its tokens with it (the hit check above); the rest stay.
    this.builtVersion = this.options.version();
    this.builtAt = now;
  }

  private build(key: JwtKey): VerifyFn {
    return createVerifier({
      key: key.key,
      algorithms: [key.algorithm],
      allowedIss: this.options.issuer,
      allowedAud: this.options.audience,
      clockTolerance: this.options.clockToleranceSeconds * 1000,
      // fast-jwt checks iss and aud only when present: a token must carry them (and exp, iat).
      requiredClaims: ['exp', 'iat', 'iss', 'aud'],
      // Verified tokens are remembered above, by their text, for every key at once.
      cache: false,
    }) as VerifyFn;
  }
}
