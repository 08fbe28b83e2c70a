/**
 * A key's state follows from its dates, the configured algorithm and the token lifetime alone:
 * - `pending`: published in the JWKS, not signing yet (until `activates_at`);
 * - `active`: the newest activated key of the configured algorithm: it signs;
 * - `retired`: a newer key activated; still published and accepted until every token it can have
 *   signed has expired (`retired_at` + the longest token lifetime + clock tolerance);
 * - `expired`: no token of it can still be valid; neither published nor accepted.
 */
export type SigningKeyState = 'pending' | 'active' | 'retired' | 'expired';

export interface KeyDates {
  kid: string;
  algorithm: string;
  createdAt: Date;
  activatesAt: Date;
}

export interface KeyStatus<K extends KeyDates = KeyDates> {
  key: K;
  state: SigningKeyState;
  retiredAt?: Date;
  /** Published and accepted until then (undefined while it is pending or active). */
  publishedUntil?: Date;
}

export function keyStates<K extends KeyDates>(
  keys: readonly K[],
  options: { now: number; algorithm: string; tokenLifetimeMs: number },
): KeyStatus<K>[] {
  const { now } = options;
  const activated = keys
    .filter((key) => key.activatesAt.getTime() <= now)
    .sort((a, b) => a.activatesAt.getTime() - b.activatesAt.getTime());
  const active = [...activated].reverse().find((key) => key.algorithm === options.algorithm);
  return keys.map((key) => {
    if (key.activatesAt.getTime() > now) return { key, state: 'pending' };
    if (key === active) return { key, state: 'active' };
    // Retired when the next key activated (a key of another algorithm stopped signing when the
    // configuration changed, which the same start-up that created its successor marks).
    const next = activated.find((other) => other.activatesAt.getTime() > key.activatesAt.getTime());
    const retiredAt = next?.activatesAt ?? new Date(now);
    const publishedUntil = new Date(retiredAt.getTime() + options.tokenLifetimeMs);
    return {
      key,
      state: publishedUntil.getTime() > now ? 'retired' : 'expired',
      retiredAt,
      publishedUntil,
    };
  });
}
