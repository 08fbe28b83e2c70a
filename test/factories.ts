import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Api } from './http.js';

export interface TestUser {
  id: string;
  email: string;
  username: string;
  password: string;
}

export interface Tokens {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
  scope: string;
}

/** A unique user per call, so specs never depend on each other or on order. */
export function newUserInput(overrides: Partial<Omit<TestUser, 'id'>> = {}) {
  const tag = randomUUID().slice(0, 8);
  return {
    email: `user-${tag}@example.com`,
    username: `user_${tag}`,
    password: `pw-${randomUUID()}`,
    ...overrides,
  };
}

export async function registerUser(
  api: Api,
  overrides: Partial<Omit<TestUser, 'id'>> = {},
): Promise<TestUser> {
  const input = newUserInput(overrides);
  const response = await api.post('/auth/register', { json: input });
  if (response.status !== 201)
    throw new Error(`register failed: ${response.status} ${response.text}`);
  return { ...input, id: response.body.id };
}

export async function passwordGrant(
  api: Api,
  user: Pick<TestUser, 'username' | 'password'>,
  scope?: string,
) {
  return api.post<Tokens>('/auth/token', {
    form: {
      grant_type: 'password',
      username: user.username,
      password: user.password,
      ...(scope ? { scope } : {}),
    },
  });
}

export async function login(
  api: Api,
  user: Pick<TestUser, 'username' | 'password'>,
): Promise<Tokens> {
  const response = await passwordGrant(api, user);
  if (response.status !== 200) throw new Error(`login failed: ${response.status} ${response.text}`);
  return response.body;
}

/** Gives a user roles (and extra grants) directly in the database, as an operator's script would. */
export async function setRoles(
  db: pg.Client,
  user: Pick<TestUser, 'id'>,
  roles: string[],
  permissions: string[] = [],
): Promise<void> {
  await db.query('UPDATE users SET roles = $2, permissions = $3 WHERE id = $1', [
    user.id,
    roles,
    permissions,
  ]);
}

/**
 * A change made behind the app's back (straight in the database) reaches it through NOTIFY, delivered
 * at commit but asynchronously: repeats the request while its answer is still the old one, for up to a
 * second, and returns the last answer. (Changes through the API evict the cache before answering.)
 */
export async function afterNotification<T>(
  request: () => Promise<T>,
  stillOld: (response: T) => boolean,
): Promise<T> {
  const deadline = Date.now() + 1000;
  let response = await request();
  while (stillOld(response) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    response = await request();
  }
  return response;
}
