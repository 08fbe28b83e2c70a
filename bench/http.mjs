// Plain HTTP for the bench's setup requests: a fresh connection each (agent: false), nothing left open.
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';

export const HOST = '127.0.0.1';
export function http(port, { method = 'GET', path, headers = {}, body }) {
  return new Promise((resolveRequest, reject) => {
    const req = httpRequest(
      {
        host: HOST,
        port,
        method,
        path,
        headers: { connection: 'close', ...headers },
        agent: false,
      },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolveRequest({ status: res.statusCode, text, json });
        });
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path}: timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

export function expectStatus(response, status, what) {
  if (response.status !== status) {
    throw new Error(`${what}: expected ${status}, got ${response.status}: ${response.text}`);
  }
}

/** A new user on the running app and an access token for it, through the public endpoints. */
export async function appToken(port, target) {
  const kind = target.split('@')[0].replace(/[^a-z0-9]+/gi, '-');
  const username = `b-${kind.slice(0, 20)}-${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('base64url');
  const registered = await http(port, {
    method: 'POST',
    path: '/auth/register',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `${username}@example.com`, username, password }),
  });
  expectStatus(registered, 201, `${target}: POST /auth/register`);
  const issued = await http(port, {
    method: 'POST',
    path: '/auth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', username, password }).toString(),
  });
  expectStatus(issued, 200, `${target}: POST /auth/token`);
  const token = issued.json?.access_token;
  if (typeof token !== 'string') throw new Error(`${target}: no access_token in ${issued.text}`);
  const check = (json) => json?.username === username;
  if (!target.split('@')[0].includes('-apikey')) {
    return { headers: { authorization: `Bearer ${token}` }, check, username, password, token };
  }
  const created = await http(port, {
    method: 'POST',
    path: '/api-keys',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ name: 'bench', scopes: [] }),
  });
  expectStatus(created, 201, `${target}: POST /api-keys`);
  return { headers: { 'x-api-key': created.json.key }, check, username, password, token };
}
