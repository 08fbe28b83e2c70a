import pg from 'pg';
import { startTestApp, type TestApp } from './app.js';
import { login, registerUser, setRoles } from './factories.js';
import { decodeJwt } from './jwt.js';

/**
 * docs/audit.md: `ip` and `user_agent` are those of the request that caused the event, whichever code
 * records it; and one replay incident is one event, however many requests carry the replayed token.
 */
describe('audit events name the request that caused them', () => {
  let t: TestApp;
  let db: pg.Client;
  let adminToken: string;
  const UA = 'audit-client-spec/2.0';

  const eventsOf = async (userId: string, type: string) => {
    const response = await t.api.get(`/admin/audit?user_id=${userId}&type=${type}&limit=100`, {
      token: adminToken,
    });
    expect(response.status).toBe(200);
    return response.body.items as Array<Record<string, any>>;
  };

  beforeAll(async () => {
    t = await startTestApp();
    db = new pg.Client({ connectionString: t.database.url });
    await db.connect();
    const admin = await registerUser(t.api);
    await setRoles(db, admin, ['admin']);
    adminToken = (await login(t.api, admin)).access_token;
  }, 60_000);
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  it('an admin changing roles and status: the admin request’s address and user agent', async () => {
    const user = await registerUser(t.api);
    const response = await t.api.patch(`/admin/users/${user.id}`, {
      token: adminToken,
      json: { roles: ['editor'], is_active: false },
      headers: { 'user-agent': UA },
    });
    expect(response.status).toBe(200);
    for (const type of ['user.roles_changed', 'user.status_changed']) {
      expect(await eventsOf(user.id, type)).toEqual([
        expect.objectContaining({ type, ip: '127.0.0.1', user_agent: UA }),
      ]);
    }
  });

  it('every other admin action: the admin request’s address and user agent', async () => {
    const headers = { 'user-agent': UA };
    const user = await registerUser(t.api);
    const unlock = await t.api.post(`/admin/users/${user.id}/unlock`, {
      token: adminToken,
      headers,
    });
    expect(unlock.status).toBe(204);
    const created = await t.api.post('/admin/oauth-clients', {
      token: adminToken,
      json: { name: 'audit-client-spec', scopes: ['read:items'] },
      headers,
    });
    expect(created.status).toBe(201);
    const clientId = created.body.client_id as string;
    const deletedClient = await t.api.request('DELETE', `/admin/oauth-clients/${clientId}`, {
      token: adminToken,
      headers,
    });
    expect(deletedClient.status).toBe(204);
    const deletedUser = await t.api.request('DELETE', `/admin/users/${user.id}`, {
      token: adminToken,
      headers,
    });
    expect(deletedUser.status).toBe(204);

    const client = { ip: '127.0.0.1', user_agent: UA };
    expect(await eventsOf(user.id, 'account.unlocked')).toEqual([expect.objectContaining(client)]);
    expect(await eventsOf(user.id, 'user.deleted')).toEqual([expect.objectContaining(client)]);
    const clientEvents = await t.api.get(
      `/admin/audit?type=oauth_client.created,oauth_client.deleted&limit=100`,
      { token: adminToken },
    );
    const ofThisClient = (clientEvents.body.items as Array<Record<string, any>>).filter(
      (event) => event.details.client_id === clientId,
    );
    expect(ofThisClient).toHaveLength(2);
    for (const event of ofThisClient) expect(event).toMatchObject(client);
  });

  it('a burst of 20 replays of a rotated refresh token: one reuse event, with the client', async () => {
    const user = await registerUser(t.api);
    const first = await login(t.api, user);
    const rotated = await t.api.post('/auth/refresh', {
      json: { refresh_token: first.refresh_token },
    });
    expect(rotated.status).toBe(200);
    const replays = await Promise.all(
      Array.from({ length: 20 }, () =>
        t.api.post('/auth/refresh', {
          json: { refresh_token: first.refresh_token },
          headers: { 'user-agent': UA },
        }),
      ),
    );
    expect(replays.map((r) => r.status)).toEqual(Array(20).fill(401));
    const events = await eventsOf(user.id, 'refresh_token.reused');
    expect(events).toEqual([
      expect.objectContaining({
        session_id: decodeJwt(first.access_token).sid,
        ip: '127.0.0.1',
        user_agent: UA,
      }),
    ]);
  });
});
