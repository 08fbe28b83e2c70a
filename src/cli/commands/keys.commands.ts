import type { Command } from 'commander';
import { leaf, outputOf } from '../program-helpers.js';

/** The services load only when a command runs: `--help` and usage errors answer at once. */
const actions = () => import('./keys.actions.js');

export function registerKeysCommands(program: Command): void {
  const keys = program
    .command('keys')
    .description('Keys that sign access tokens (never a private half)');

  leaf(
    keys.command('list').description('Every key, newest first: kid, algorithm, state and dates'),
  ).action(async (_options, command: Command) => (await actions()).list(outputOf(command)));

  leaf(
    keys
      .command('rotate')
      .description(
        'Create a key (key-pair ALGORITHM only): published now, signing after ' +
          'SIGNING_KEY_PUBLISH_SECONDS; nobody is logged out. A key already waiting is the answer',
      ),
  ).action(async (_options, command: Command) => (await actions()).rotate(outputOf(command)));
}
