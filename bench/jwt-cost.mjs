// JWT verification cost per algorithm, in µs per token: what the app's verifier (fast-jwt, one
// verifier per key pinned to its algorithm, issuer/audience/exp checked) spends on a token it has
// not seen, and on one it verified before (fast-jwt's bounded cache, keyed by the token). Run by
// bench/run.mjs; `node bench/jwt-cost.mjs` prints one JSON line. Needs fast-jwt (the issuer's
// verifier); without it, prints { skipped }.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';

let fastJwt;
try {
  fastJwt = await import('fast-jwt');
} catch {
  console.log(JSON.stringify({ skipped: 'fast-jwt is not installed (the issuer verifier)' }));
  process.exit(0);
}
const { createSigner, createVerifier } = fastJwt;

const claims = {
  sid: '2b1f4c1e-0c43-4f7e-9f7a-3d0d4c1f2e55',
  typ: 'access',
  scope: 'profile:read profile:write',
  roles: ['user'],
  aud: 'gatehouse-api',
  iss: 'gatehouse',
  sub: '5b7c0f8e-9a1d-4a57-8f3b-6c1d2e3f4a5b',
};

// As the app holds them (signing-keys.service.ts): a secret string, or PEM text of each half.
const pem = ({ privateKey, publicKey }) => ({
  sign: privateKey.export({ type: 'pkcs8', format: 'pem' }),
  verify: publicKey.export({ type: 'spki', format: 'pem' }),
});
const keys = {
  HS256: () => {
    const key = randomBytes(48).toString('base64url');
    return { sign: key, verify: key };
  },
  ES256: () => {
    return pem(generateKeyPairSync('ec', { namedCurve: 'P-256' }));
  },
  EdDSA: () => {
    return pem(generateKeyPairSync('ed25519'));
  },
  RS256: () => {
    return pem(generateKeyPairSync('rsa', { modulusLength: 2048 }));
  },
};

const COUNT = Number(process.env.JWT_COST_TOKENS ?? 2000);
const results = {};
for (const [algorithm, make] of Object.entries(keys)) {
  const key = make();
  const sign = createSigner({ key: key.sign, algorithm, expiresIn: 900_000 });
  const tokens = Array.from({ length: COUNT }, (_, i) => sign({ ...claims, jti: String(i) }));
  const options = {
    key: key.verify,
    algorithms: [algorithm],
    allowedIss: claims.iss,
    allowedAud: claims.aud,
    requiredClaims: ['exp'],
  };
  const fresh = createVerifier({ ...options, cache: false });
  const cached = createVerifier({ ...options, cache: 1000 });
  for (const token of tokens.slice(0, 200)) fresh(token); // warm-up
  let started = performance.now();
  for (const token of tokens) fresh(token);
  const unseen = ((performance.now() - started) * 1000) / COUNT;
  cached(tokens[0]);
  started = performance.now();
  for (let i = 0; i < COUNT; i++) cached(tokens[0]);
  const seen = ((performance.now() - started) * 1000) / COUNT;
  results[algorithm] = { unseenMicros: unseen, cachedMicros: seen };
}
console.log(JSON.stringify({ results }));
