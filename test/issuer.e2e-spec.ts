import { createPublicKey } from 'node:crypto';
import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  exportSPKI,
  generateKeyPair,
  importJWK,
  jwtVerify,
  SignJWT,
} from 'jose';
import pg from 'pg';
import { startTestApp, type TestApp } from './app.js';
import { createTestDatabase, dropTestDatabase } from './database.js';
import { login, registerUser, setRoles, type TestUser } from './factories.js';
import { decodeJwt, signJwt } from './jwt.js';

const ISSUER = 'gatehouse';
const AUDIENCE = 'gatehouse-api';

/**
 * Tokens other services can trust: under each key-pair algorithm a relying party verifies a
 * password-grant access token with jose against the running server's JWKS over HTTP; forgeries are
 * refused under every algorithm; rotation keeps old tokens valid. One database for the whole file, so
 * switching ALGORITHM between the blocks is exercised too.
 */
describe('signing keys, JWKS and metadata', () => {
  let database: { name: string; url: string };
  let db: pg.Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await dropTestDatabase(database.name);
  });

  describe.each(['ES256', 'EdDSA', 'RS256'] as const)('ALGORITHM=%s', (algorithm) => {
    let t: TestApp;
    let user: TestUser;
    let token: string;

    beforeAll(async () => {
      t = await startTestApp({
        database,
        env: { ALGORITHM: algorithm, SIGNING_KEY_PUBLISH_SECONDS: '600' },
      });
      user = await registerUser(t.api);
      token = (await login(t.api, user)).access_token;
    });
    afterAll(() => t.close());

    it('lets a relying party verify an access token with jose against the JWKS over HTTP', async () => {
      const jwks = createRemoteJWKSet(new URL(`${t.api.baseUrl}/.well-known/jwks.json`));
      const { payload, protectedHeader } = await jwtVerify(token, jwks, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: [algorithm],
      });
      expect(protectedHeader).toEqual({ alg: algorithm, kid: expect.any(String), typ: 'JWT' });
      expect(payload).toMatchObject({ sub: user.id, typ: 'access', iss: ISSUER, aud: AUDIENCE });
    });

    it('publishes public halves only, cacheable for less than the publication delay', async () => {
      const response = await t.api.get('/.well-known/jwks.json');
      expect(response.status).toBe(200);
      const maxAge = Number(/max-age=(\d+)/.exec(response.headers.get('cache-control') ?? '')?.[1]);
      expect(maxAge).toBeGreaterThan(0);
      expect(maxAge).toBeLessThan(600);
      const keys: Record<string, string>[] = response.body.keys;
      const mine = keys.find((key) => key.kid === decodeProtectedHeader(token).kid);
      expect(mine).toMatchObject({ alg: algorithm, use: 'sig' });
      for (const key of keys) {
        for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'])
          expect(key).not.toHaveProperty(secret);
      }
      // The private half is stored sealed, not as a PEM.
      const stored = await db.query('SELECT private_key FROM signing_keys');
      for (const row of stored.rows) expect(row.private_key).toMatch(/^v1:[A-Za-z0-9_-]+$/);
    });

    it('refuses algorithm confusion, an unknown kid, a missing kid and alg none', async () => {
      const claims = decodeJwt(token);
      const { kid } = decodeProtectedHeader(token);
      const published = (await t.api.get('/.well-known/jwks.json')).body.keys.find(
        (key: { kid: string }) => key.kid === kid,
      );
      const publicPem = await exportSPKI(
        (await importJWK(published, algorithm)) as Parameters<typeof exportSPKI>[0],
      );
      const stranger = await generateKeyPair(algorithm, { extractable: true });
      const forgeries = {
        'HS256 keyed with the public key (PEM)': signJwt(claims, publicPem, {
          alg: 'HS256',
          typ: 'JWT',
          kid,
        }),
        'HS256 keyed with the public JWK': signJwt(claims, JSON.stringify(published), {
          alg: 'HS256',
          kid,
        }),
        'alg none with the real kid': signJwt(claims, '', { alg: 'none', typ: 'JWT', kid }),
        'another key under the real kid': await new SignJWT(claims)
          .setProtectedHeader({ alg: algorithm, kid })
          .sign(stranger.privateKey),
        'another key under an unknown kid': await new SignJWT(claims)
          .setProtectedHeader({ alg: algorithm, kid: 'no-such-key' })
          .sign(stranger.privateKey),
        'a token without kid': await new SignJWT(claims)
          .setProtectedHeader({ alg: algorithm })
          .sign(stranger.privateKey),
      };
      // The control: the genuine token is accepted.
      expect((await t.api.get('/users/me', { token })).status).toBe(200);
      for (const [name, forged] of Object.entries(forgeries)) {
        const response = await t.api.get('/users/me', { token: forged });
        expect({ name, status: response.status, code: response.body.code }).toEqual({
          name,
          status: 401,
          code: 'INVALID_TOKEN',
        });
      }
      // The public key really is the one that verifies (the confusion attempt used the right key).
      expect(createPublicKey(publicPem).asymmetricKeyType).toBeDefined();
    });
  });

  describe('rotation (ES256)', () => {
    let t: TestApp;
    let admin: TestUser;
    let adminToken: string;

    beforeAll(async () => {
      t = await startTestApp({
        database,
        env: { ALGORITHM: 'ES256', SIGNING_KEY_PUBLISH_SECONDS: '0' },
      });
      admin = await registerUser(t.api);
      await setRoles(db, admin, ['admin']);
      adminToken = (await login(t.api, admin)).access_token;
    });
    afterAll(() => t.close());

    it('publishes the new key, signs with it, and keeps old tokens valid', async () => {
      const oldKid = decodeProtectedHeader(adminToken).kid!;
      const rotated = await t.api.post('/admin/signing-keys/rotate', {
        token: adminToken,
        headers: { 'user-agent': 'key-ceremony/1.0' },
      });
      expect(rotated.status).toBe(200);
      expect(rotated.body).toMatchObject({ algorithm: 'ES256', state: 'active' });
      const newKid = rotated.body.kid;
      expect(newKid).not.toBe(oldKid);
      const event = await db.query(
        `SELECT actor_id, ip, user_agent FROM security_events
         WHERE type = 'signing_key.rotated' AND details->>'kid' = $1`,
        [newKid],
      );
      expect(event.rows).toEqual([
        { actor_id: admin.id, ip: '127.0.0.1', user_agent: 'key-ceremony/1.0' },
      ]);

      const jwks = (await t.api.get('/.well-known/jwks.json')).body.keys.map((k: any) => k.kid);
      expect(jwks).toEqual(expect.arrayContaining([oldKid, newKid]));

      // The old token still works here and for a relying party; a new one carries the new kid.
      expect((await t.api.get('/users/me', { token: adminToken })).status).toBe(200);
      const remote = createRemoteJWKSet(new URL(`${t.api.baseUrl}/.well-known/jwks.json`));
      await expect(
        jwtVerify(adminToken, remote, { issuer: ISSUER, audience: AUDIENCE }),
      ).resolves.toBeDefined();
      const fresh = (await login(t.api, admin)).access_token;
      expect(decodeProtectedHeader(fresh).kid).toBe(newKid);
      await expect(
        jwtVerify(fresh, remote, { issuer: ISSUER, audience: AUDIENCE }),
      ).resolves.toBeDefined();

      const list = await t.api.get('/admin/signing-keys', { token: fresh });
      expect(list.status).toBe(200);
      const states = Object.fromEntries(list.body.map((key: any) => [key.kid, key.state]));
      expect(states[newKid]).toBe('active');
      expect(states[oldKid]).toBe('retired');
      const old = list.body.find((key: any) => key.kid === oldKid);
      expect(Date.parse(old.published_until)).toBeGreaterThan(Date.now());
    });

    it('needs manage:keys', async () => {
      const someone = await registerUser(t.api);
      const { access_token } = await login(t.api, someone);
      expect((await t.api.post('/admin/signing-keys/rotate', { token: access_token })).status).toBe(
        403,
      );
      expect((await t.api.get('/admin/signing-keys', { token: access_token })).status).toBe(403);
    });
  });

  describe('with the delay, a new key is published before it signs', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await startTestApp({
        database,
        env: { ALGORITHM: 'ES256', SIGNING_KEY_PUBLISH_SECONDS: '600' },
      });
    });
    afterAll(() => t.close());

    it('answers a second rotation with the key still pending, not another one', async () => {
      const admin = await registerUser(t.api);
      await setRoles(db, admin, ['admin']);
      const { access_token } = await login(t.api, admin);
      const first = await t.api.post('/admin/signing-keys/rotate', { token: access_token });
      expect(first.body.state).toBe('pending');
      const second = await t.api.post('/admin/signing-keys/rotate', { token: access_token });
      expect(second.body.kid).toBe(first.body.kid);
      const jwks = (await t.api.get('/.well-known/jwks.json')).body.keys.map((k: any) => k.kid);
      expect(jwks).toContain(first.body.kid);
      const fresh = (await login(t.api, admin)).access_token;
      expect(decodeProtectedHeader(fresh).kid).not.toBe(first.body.kid);
    });
  });

  describe('ALGORITHM=HS256 (the default)', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await startTestApp({ database, env: { ALGORITHM: 'HS256' } });
    });
    afterAll(() => t.close());

    it('puts a kid in every header, publishes no keys, and refuses an unknown kid and alg none', async () => {
      const user = await registerUser(t.api);
      const tokens = await login(t.api, user);
      const { kid } = decodeProtectedHeader(tokens.access_token);
      expect(kid).toEqual(expect.any(String));
      expect(decodeProtectedHeader(tokens.refresh_token).kid).toEqual(expect.any(String));
      expect((await t.api.get('/.well-known/jwks.json')).body).toEqual({ keys: [] });
      const claims = decodeJwt(tokens.access_token);
      const secret = process.env.SECRET_KEY!;
      for (const forged of [
        signJwt(claims, secret, { alg: 'HS256', typ: 'JWT', kid: 'no-such-key' }),
        signJwt(claims, secret, { alg: 'none', typ: 'JWT', kid }),
        signJwt(claims, 'x'.repeat(48), { alg: 'HS256', typ: 'JWT', kid }),
      ]) {
        expect((await t.api.get('/users/me', { token: forged })).status).toBe(401);
      }
      expect((await t.api.get('/users/me', { token: tokens.access_token })).status).toBe(200);
    });

    it('documents Basic client authentication and the new routes in OpenAPI', async () => {
      const document = (await t.api.get('/docs-json')).body;
      expect(document.components.securitySchemes.client_basic).toMatchObject({
        type: 'http',
        scheme: 'basic',
      });
      // The Swagger UI still signs in with the password flow.
      expect(document.components.securitySchemes.oauth2.flows.password.tokenUrl).toBe(
        '/auth/token',
      );
      expect(document.paths['/auth/introspect'].post.security).toEqual([{ client_basic: [] }]);
      expect(document.paths['/auth/token'].post.requestBody.content).toHaveProperty(
        'application/x-www-form-urlencoded.schema.properties.client_secret',
      );
      for (const path of [
        '/.well-known/jwks.json',
        '/.well-known/oauth-authorization-server',
        '/admin/signing-keys',
        '/admin/signing-keys/rotate',
        '/admin/oauth-clients',
        '/admin/oauth-clients/{id}',
      ]) {
        expect(document.paths[path]).toBeDefined();
      }
      expect(document.paths['/api/private'].get['x-accepts-clients']).toBe(true);
      expect(document.paths['/users/me'].get['x-accepts-clients']).toBeUndefined();
    });

    it("answers RFC 8414 metadata whose issuer is the tokens' iss", async () => {
      const response = await t.api.get('/.well-known/oauth-authorization-server');
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        issuer: ISSUER,
        token_endpoint: `${t.api.baseUrl}/auth/token`,
        jwks_uri: `${t.api.baseUrl}/.well-known/jwks.json`,
        revocation_endpoint: `${t.api.baseUrl}/auth/revoke`,
        introspection_endpoint: `${t.api.baseUrl}/auth/introspect`,
        grant_types_supported: expect.arrayContaining(['password', 'client_credentials']),
        scopes_supported: expect.arrayContaining(['read:items', 'manage:keys']),
        token_endpoint_auth_methods_supported: expect.arrayContaining([
          'client_secret_basic',
          'client_secret_post',
        ]),
      });
    });
  });
});
