import { keyStates } from './key-states.js';

const at = (minutes: number) => new Date(Date.UTC(2026, 0, 1, 0, minutes));
const key = (kid: string, created: number, activates: number, algorithm = 'ES256') => ({
  kid,
  algorithm,
  createdAt: at(created),
  activatesAt: at(activates),
});

describe('keyStates', () => {
  const lifetime = 15 * 60_000;
  const states = (keys: ReturnType<typeof key>[], now: number, algorithm = 'ES256') =>
    Object.fromEntries(
      keyStates(keys, { now: at(now).getTime(), algorithm, tokenLifetimeMs: lifetime }).map((s) => [
        s.key.kid,
        s.state,
      ]),
    );

  it('publishes a new key before it signs, then retires the old one for one token lifetime', () => {
    const keys = [key('old', 0, 0), key('new', 100, 110)];
    expect(states(keys, 105)).toEqual({ old: 'active', new: 'pending' });
    expect(states(keys, 110)).toEqual({ old: 'retired', new: 'active' });
    expect(states(keys, 124)).toEqual({ old: 'retired', new: 'active' });
    expect(states(keys, 125)).toEqual({ old: 'expired', new: 'active' });
  });

  it('signs only with a key of the configured algorithm', () => {
    const keys = [key('es', 0, 0), key('ed', 50, 50, 'EdDSA')];
    expect(states(keys, 60, 'EdDSA')).toEqual({ es: 'retired', ed: 'active' });
  });
});
