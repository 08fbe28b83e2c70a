import { CLI_ACTOR } from '../../common/actor.js';
import { type AuthConfig, authConfig, KEY_PAIR_ALGORITHMS } from '../../config/auth.config.js';
import {
  SigningKeysService,
  type SigningKeyView,
} from '../../signing-keys/signing-keys.service.js';
import { withApp } from '../cli-context.js';
import { CliError } from '../cli-error.js';
import { fields, type Output, table } from '../output.js';

/** The implementations behind `gatehouse keys ...` (loaded only when a command runs). */

function keyLines(key: SigningKeyView): string[] {
  return fields([
    ['kid', key.kid],
    ['algorithm', key.algorithm],
    ['state', key.state],
    ['created', key.created_at],
    ['signs from', key.activates_at],
    ['retired', key.retired_at],
    ['published until', key.published_until],
  ]);
}

/** The same rows as `GET /admin/signing-keys`. */
export async function list(out: Output): Promise<void> {
  const keys = await withApp((app) => app.get(SigningKeysService).list());
  out.result(keys, () => [
    ...table(
      ['kid', 'algorithm', 'state', 'created', 'signs from', 'retired', 'published until'],
      keys.map((k) => [
        k.kid,
        k.algorithm,
        k.state,
        k.created_at,
        k.activates_at,
        k.retired_at,
        k.published_until,
      ]),
      '(no keys)',
    ),
    ...(keys.some((k) => k.created_at === null)
      ? ['HS keys are SECRET_KEY (active) and PREVIOUS_SECRET_KEYS (retired); see docs/tokens.md']
      : []),
  ]);
}

/** The same as `POST /admin/signing-keys/rotate`; with an HS ALGORITHM there is nothing to create. */
export async function rotate(out: Output): Promise<void> {
  const started = Date.now();
  const { key, algorithm } = await withApp(async (app) => ({
    key: await app.get(SigningKeysService).rotate({ actorId: CLI_ACTOR, reason: 'manual' }),
    algorithm: app.get<AuthConfig>(authConfig.KEY).algorithm,
  }));
  if (!key) {
    throw new CliError(
      `keys rotate needs a key-pair ALGORITHM (${KEY_PAIR_ALGORITHMS.join(', ')}); with ${algorithm} rotate ` +
        'SECRET_KEY, keeping the old value in PREVIOUS_SECRET_KEYS (see docs/tokens.md)',
      'KEYS_NOT_ROTATABLE',
    );
  }
  // The service answers with the key already waiting rather than make a second one.
  const waiting = new Date(key.created_at!).getTime() < started;
  out.result(key, () => [
    waiting
      ? `Key ${key.kid} was already waiting to sign (no second one was made); it signs from ${key.activates_at}.`
      : key.state === 'pending'
        ? `New key ${key.kid} is published now and signs from ${key.activates_at}; the current key signs until then.`
        : `New key ${key.kid} signs from now (SIGNING_KEY_PUBLISH_SECONDS is 0).`,
    ...keyLines(key),
  ]);
}
