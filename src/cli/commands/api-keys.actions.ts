import { DataSource } from 'typeorm';
import { ApiKeysService } from '../../api-keys/api-keys.service.js';
import { toAdminApiKeyResponse } from '../../api-keys/dto/api-key.response.js';
import { withApp } from '../cli-context.js';
import { CliError } from '../cli-error.js';
import { type Output, table } from '../output.js';
import { resolveUserId } from '../user-ref.js';

/** The implementations behind `gatehouse api-keys ...` (loaded only when a command runs). */

export async function list(
  options: { user?: string; page: number; limit: number },
  out: Output,
): Promise<void> {
  const page = await withApp(async (app) => {
    const userId = options.user
      ? await resolveUserId(app.get(DataSource).manager, options.user)
      : undefined;
    return app.get(ApiKeysService).listAll({ userId, page: options.page, limit: options.limit });
  });
  const items = page.items.map(toAdminApiKeyResponse);
  out.result({ items, total: page.total, page: options.page, limit: options.limit }, () => [
    ...table(
      ['id', 'user', 'name', 'prefix', 'scopes', 'expires', 'last used', 'revoked'],
      items.map((k) => [
        k.id,
        k.user_id,
        k.name,
        k.prefix,
        k.scopes.join(' '),
        k.expires_at,
        k.last_used_at,
        k.revoked_at,
      ]),
      '(no keys)',
    ),
    `${page.total} key(s); page ${options.page}, ${options.limit} per page`,
  ]);
}

export async function revoke(id: string, out: Output): Promise<void> {
  const revoked = await withApp((app) => app.get(ApiKeysService).revokeByOperator(id));
  if (!revoked) throw new CliError(`no active API key with id "${id}"`, 'NOT_FOUND');
  out.result({ id, revoked: true }, () => `Revoked key ${id}.`);
}
