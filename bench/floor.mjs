// The floor: a bare node:http server doing the least an authenticated GET must do. It reads the bearer
// token, checks it as HS256 with the same SECRET_KEY as Gatehouse, and answers a small JSON. No
// framework, no database: what any app on this machine, in this Node, could at best approach.
import { createServer } from 'node:http';
import { verifyHs256 } from './jwt.mjs';

const UNAUTHORIZED = JSON.stringify({ status: 401, title: 'Unauthorized' });

export function createFloorServer({ secretKey, issuer, audience }) {
  const key = Buffer.from(secretKey);
  return createServer((request, response) => {
    const header = request.headers.authorization;
    const claims =
      typeof header === 'string' && header.startsWith('Bearer ')
        ? verifyHs256(header.slice(7), key, { issuer, audience })
        : undefined;
    if (!claims || request.method !== 'GET' || request.url !== '/users/me') {
      response.writeHead(401, { 'content-type': 'application/problem+json' });
      response.end(UNAUTHORIZED);
      return;
    }
    const body = JSON.stringify({ id: claims.sub, scope: claims.scope, roles: claims.roles });
    response.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
    });
    response.end(body);
  });
}
