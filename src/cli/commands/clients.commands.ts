import { type Command, Option } from 'commander';
import { PERMISSIONS } from '../../access/roles.js';
import { leaf, outputOf, positiveInt } from '../program-helpers.js';

/** The services load only when a command runs: `--help` and usage errors answer at once. */
const actions = () => import('./clients.actions.js');

export function registerClientsCommands(program: Command): void {
  const clients = program
    .command('clients')
    .description('OAuth clients: machine credentials for the client credentials grant');

  leaf(
    clients
      .command('create')
      .description(
        'Create a client for a service; its secret is printed this once (only a hash is kept)',
      )
      .requiredOption('--name <name>', 'what the client is, 1 to 100 characters (e.g. "billing")')
      .requiredOption(
        '--scope <scope...>',
        'the most its tokens may carry: one or more of ' +
          `${PERMISSIONS.join(', ')} (space- or comma-separated, or the option repeated)`,
      ),
  ).action(async (options: { name: string; scope: string[] }, command: Command) =>
    (await actions()).create(options, outputOf(command)),
  );

  leaf(
    clients
      .command('list')
      .description('Every client, newest first (never a secret)')
      .addOption(new Option('--page <n>').argParser(positiveInt(100_000)).default(1))
      .addOption(new Option('--limit <n>').argParser(positiveInt(100)).default(20)),
  ).action(async (options: { page: number; limit: number }, command: Command) =>
    (await actions()).list(options, outputOf(command)),
  );

  leaf(
    clients
      .command('delete')
      .description('Delete a client: its tokens stop working at once on every instance')
      .argument('<id>', 'the client_id (from `clients list`)'),
  ).action(async (id: string, _options, command: Command) =>
    (await actions()).remove(id, outputOf(command)),
  );
}
