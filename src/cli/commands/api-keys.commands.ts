import { type Command, Option } from 'commander';
import { leaf, outputOf, positiveInt } from '../program-helpers.js';

const actions = () => import('./api-keys.actions.js');

export function registerApiKeysCommands(program: Command): void {
  const keys = program.command('api-keys').description('API keys (never their secrets)');

  leaf(
    keys
      .command('list')
      .description('Every key, revoked ones included, newest first')
      .option('--user <user>', 'only the keys of this user (id, username or email)')
      .addOption(new Option('--page <n>').argParser(positiveInt(100_000)).default(1))
      .addOption(new Option('--limit <n>').argParser(positiveInt(100)).default(20)),
  ).action(async (options: { user?: string; page: number; limit: number }, command: Command) =>
    (await actions()).list(options, outputOf(command)),
  );

  leaf(
    keys
      .command('revoke')
      .description('Revoke a key: it stops working at once on every instance')
      .argument('<id>', 'the key id (from `api-keys list`)'),
  ).action(async (id: string, _options, command: Command) =>
    (await actions()).revoke(id, outputOf(command)),
  );
}
