import { CLI_ACTOR } from '../../common/actor.js';
import {
  CreateOAuthClientDto,
  toCreatedOAuthClientResponse,
  toOAuthClientResponse,
} from '../../oauth-clients/dto/oauth-client.dto.js';
import { OAuthClientsService } from '../../oauth-clients/oauth-clients.service.js';
import { withApp } from '../cli-context.js';
import { CliError } from '../cli-error.js';
import { fields, type Output, table } from '../output.js';
import { validated } from '../validated.js';

/** The implementations behind `gatehouse clients ...` (loaded only when a command runs). */

/**
 * Checked as the API checks `POST /admin/oauth-clients` (known permissions, no repeats). There is no
 * "scopes you hold" cap: the operator ranks above every role.
 */
export async function create(
  options: { name: string; scope: string[] },
  out: Output,
): Promise<void> {
  const scopes = options.scope.flatMap((value) => value.split(/[\s,]+/)).filter(Boolean);
  const input = await validated(CreateOAuthClientDto, { name: options.name, scopes });
  const created = await withApp(async (app) => {
    const { client, secret } = await app.get(OAuthClientsService).create(input, {
      actorId: CLI_ACTOR,
    });
    return toCreatedOAuthClientResponse(client, secret);
  });
  out.result(created, () => [
    `Created OAuth client "${created.name}".`,
    ...fields([
      ['client_id', created.client_id],
      ['client_secret', created.client_secret],
      ['scopes', created.scopes],
      ['created', created.created_at],
    ]),
    'The secret is shown this once and cannot be shown again (only its hash is kept): store it now.',
  ]);
}

export async function list(options: { page: number; limit: number }, out: Output): Promise<void> {
  const page = await withApp((app) => app.get(OAuthClientsService).list(options));
  const items = page.items.map(toOAuthClientResponse);
  out.result({ items, total: page.total, page: options.page, limit: options.limit }, () => [
    ...table(
      ['client_id', 'name', 'scopes', 'created'],
      items.map((c) => [c.client_id, c.name, c.scopes.join(' '), c.created_at]),
      '(no clients)',
    ),
    `${page.total} client(s); page ${options.page}, ${options.limit} per page`,
  ]);
}

export async function remove(id: string, out: Output): Promise<void> {
  const deleted = await withApp((app) =>
    app.get(OAuthClientsService).delete(id, { actorId: CLI_ACTOR }),
  );
  if (!deleted) throw new CliError(`no OAuth client with id "${id}"`, 'NOT_FOUND');
  out.result(
    { client_id: id, deleted: true },
    () => `Deleted OAuth client ${id}; its tokens stop working at once.`,
  );
}
