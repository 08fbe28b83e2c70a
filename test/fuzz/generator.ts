/**
 * A small, seeded, schema-driven input generator for the fuzz spec. Everything it produces comes
 * from one PRNG, so a seed reproduces the same sequence of requests.
 */

/** mulberry32: tiny, fast, good enough to pick inputs. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Random = () => number;
export type Schema = {
  type?: string;
  $ref?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  enum?: unknown[];
  format?: string;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
};

export const pick = <T>(random: Random, items: readonly T[]): T =>
  items[Math.floor(random() * items.length)];
const int = (random: Random, max: number) => Math.floor(random() * max);

/** Strings that have broken parsers, validators, databases and encoders somewhere. */
const ODD_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\ud83d\ude00',
  '\u202e\u0041\u0042',
  '\u200b\u200d\ufeff',
  'e\u0301\u0301\u0301\u0301',
  'ｆｕｌｌｗｉｄｔｈ',
  '\u0130\u0131\u00df',
  '%00%FF%',
  '../../../etc/passwd',
  "' OR 1=1 --",
  '"; DROP TABLE users; --',
  '<script>alert(1)</script>',
  '${jndi:ldap://x}',
  '{{7*7}}',
  '\\u0000',
  '\r\n\r\nX: y',
  'null',
  'undefined',
  'true',
  '-1',
  '1e309',
  'NaN',
  '__proto__',
  '2020-W01',
  '9999-99-99T99:99:99Z',
  'a@b',
  'x'.repeat(255) + '@example.com',
  '\u{10ffff}',
  '\ufffe\uffff',
];

function hugeString(random: Random): string {
  const unit = pick(random, ['a', '<b>', 'é', '\ud83d\ude00', '%', '\u0301', ' ', '&amp;']);
  return unit.repeat(1 + int(random, pick(random, [300, 3000, 30_000])));
}

export function oddString(random: Random): string {
  const roll = random();
  if (roll < 0.6) return pick(random, ODD_STRINGS);
  if (roll < 0.8) return hugeString(random);
  // A random string of random code units, lone surrogates and controls included.
  return Array.from({ length: 1 + int(random, 40) }, () =>
    String.fromCharCode(int(random, 0x10000)),
  ).join('');
}

function deepNesting(random: Random): unknown {
  let value: unknown = 'deep';
  for (let i = 0; i < 5 + int(random, 40); i++) value = random() < 0.5 ? [value] : { a: value };
  return value;
}

/** Any value of a wrong or odd kind. */
export function oddValue(random: Random): unknown {
  return pick(random, [
    () => oddString(random),
    () => pick(random, [0, -1, 1.5, 2 ** 53 + 1, -(2 ** 63), 1e308, -0]),
    () => pick(random, [true, false, null]),
    () => [],
    () => ({}),
    () => Array.from({ length: pick(random, [1, 3, 600]) }, () => oddString(random)),
    () => deepNesting(random),
    () => ({ __proto__x: 1, constructor: { prototype: { polluted: true } } }),
    () => ({ ['__proto__']: { polluted: true } }),
  ])();
}

/** Resolves `$ref`s and `allOf` against the document's components. */
export function resolve(schema: Schema | undefined, components: Record<string, Schema>): Schema {
  let current = schema ?? {};
  for (let i = 0; i < 10 && current.$ref; i++) {
    current = components[current.$ref.split('/').pop()!] ?? {};
  }
  if (current.allOf) {
    const merged: Schema = { type: 'object', properties: {} };
    for (const part of current.allOf)
      Object.assign(merged.properties!, resolve(part, components).properties);
    return merged;
  }
  return current;
}

/** A plausible value for a schema: what a client would send, so validation passes sometimes. */
function plausible(schema: Schema, random: Random, components: Record<string, Schema>): unknown {
  const resolved = resolve(schema, components);
  if (resolved.enum) return pick(random, resolved.enum);
  switch (resolved.type) {
    case 'integer':
    case 'number':
      return pick(random, [1, 2, 20, 100]);
    case 'boolean':
      return random() < 0.5;
    case 'array':
      return Array.from({ length: int(random, 3) }, () =>
        plausible(resolved.items ?? {}, random, components),
      );
    case 'object':
      return objectFor(resolved, random, components);
    default:
      if (resolved.format === 'uuid') return '00000000-0000-4000-8000-000000000000';
      if (resolved.format === 'date-time') return '2030-01-01T00:00:00Z';
      if (resolved.format === 'email') return `fuzz${int(random, 1e6)}@example.com`;
      return `fuzz-${int(random, 1e6)}-Aa1!`;
  }
}

/** An object for a schema, with some properties plausible, some odd, some missing, some extra. */
export function objectFor(
  schema: Schema,
  random: Random,
  components: Record<string, Schema>,
): Record<string, unknown> {
  const resolved = resolve(schema, components);
  const body: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(resolved.properties ?? {})) {
    const roll = random();
    if (roll < 0.15) continue;
    body[name] = roll < 0.55 ? plausible(property, random, components) : oddValue(random);
  }
  if (random() < 0.2) body[oddString(random).slice(0, 64) || 'extra'] = oddValue(random);
  return body;
}

/** Percent-encodes any string, lone surrogates included (encodeURIComponent throws on those). */
export function percentEncode(value: string): string {
  return [...Buffer.from(value, 'utf8')]
    .map((byte) =>
      /[A-Za-z0-9_.~-]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
}

/** Path parameter values: malformed, huge, encoded oddly, or plausible. */
export function pathValue(random: Random, known: readonly string[]): string {
  return pick(random, [
    () => pick(random, known),
    () => '%FF',
    () => '%E0%A4%A',
    () => '%',
    () => '%00',
    () => '..%2F..%2Fetc%2Fpasswd',
    () => 'a'.repeat(pick(random, [101, 5 * 1024])),
    () => percentEncode(oddString(random).slice(0, 300)) || 'x',
    () => '00000000-0000-0000-0000-000000000000',
    () => '-1',
    () => 'null',
    () => '%F0%9F%98%80',
    () => '%ED%A0%80',
  ])();
}

/** A query value, raw (already encoded or deliberately not). */
export function queryValue(random: Random): string {
  return pick(random, [
    () => percentEncode(oddString(random).slice(0, 2000)),
    () => String(pick(random, [-1, 0, 1, 1e21, 2 ** 31, 'abc', '1.5', '0x10', ''])),
    () => '%FF',
    () => '%',
    () => '2020-W01',
    () => encodeURIComponent('2020-01-01T00:00:00Z'),
  ])();
}

/** Headers a client may send oddly (node refuses CR/LF in values; raw sockets are bad-input's job). */
export function oddHeaders(random: Random, auth: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  const roll = random();
  if (auth && roll < 0.6) headers.authorization = `Bearer ${auth}`;
  else if (roll < 0.7)
    headers.authorization = pick(random, [
      'Bearer',
      'Bearer ',
      'Bearer a.b.c',
      'Basic Og==',
      'Basic %%%',
      `Bearer ${'x'.repeat(8000)}`,
      'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.',
      'Digest x',
    ]);
  else if (roll < 0.8) headers['x-api-key'] = pick(random, ['', 'gh_x', 'x'.repeat(4000), 'é']);
  if (random() < 0.2) headers['x-request-id'] = pick(random, ['', 'a b', 'x'.repeat(500), 'é']);
  if (random() < 0.1) headers['x-forwarded-for'] = pick(random, ['1.2.3.4', 'garbage', '::1, x']);
  if (random() < 0.1) headers.accept = pick(random, ['text/html', '*/*;q=x', 'application/xml']);
  if (random() < 0.1) headers['accept-encoding'] = pick(random, ['gzip;q=2', 'br, x']);
  return headers;
}
