import type { Command } from 'commander';
import { leaf, outputOf } from '../program-helpers.js';

const actions = () => import('./db.actions.js');

export function registerDbCommands(program: Command): void {
  const db = program.command('db').description('Database schema: apply and inspect migrations');

  leaf(
    db
      .command('migrate')
      .description('Apply every pending migration (each in its own transaction)'),
  ).action(async (_options, command: Command) => (await actions()).migrate(outputOf(command)));

  leaf(db.command('status').description('List applied and pending migrations')).action(
    async (_options, command: Command) => (await actions()).status(outputOf(command)),
  );
}
