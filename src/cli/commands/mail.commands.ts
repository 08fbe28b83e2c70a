import { type Command, Option } from 'commander';
import { leaf, outputOf, wholeNumber } from '../program-helpers.js';

const actions = () => import('./mail.actions.js');

export function registerMailCommands(program: Command): void {
  const mail = program.command('mail').description('The mail outbox');

  leaf(
    mail
      .command('prune')
      .description(
        'Delete the outbox rows of mails sent or given up more than some days ago; pending ones stay',
      )
      .addOption(
        new Option(
          '--older-than-days <days>',
          'mails sent or given up more than this many days ago',
        )
          .argParser(wholeNumber(1, 100_000))
          .makeOptionMandatory(),
      ),
  ).action(async (options: { olderThanDays: number }, command: Command) =>
    (await actions()).prune(options, outputOf(command)),
  );
}
