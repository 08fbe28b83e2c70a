import { type Command, Option } from 'commander';
import { MIN_ENDED_SESSION_AGE_DAYS } from '../../auth/session-retention.js';
import { leaf, outputOf, wholeNumber } from '../program-helpers.js';

const actions = () => import('./sessions.actions.js');

export function registerSessionsCommands(program: Command): void {
  const sessions = program
    .command('sessions')
    .description('Sessions of every user (one user’s: `users end-sessions`)');

  leaf(
    sessions
      .command('prune')
      .description(
        'Delete sessions that ended (revoked or expired) more than some days ago; active ones stay',
      )
      .addOption(
        new Option(
          '--older-than-days <days>',
          `sessions that ended more than this many days ago (at least ${MIN_ENDED_SESSION_AGE_DAYS}: a token may live a day)`,
        )
          .argParser(wholeNumber(MIN_ENDED_SESSION_AGE_DAYS, 100_000))
          .makeOptionMandatory(),
      ),
  ).action(async (options: { olderThanDays: number }, command: Command) =>
    (await actions()).prune(options, outputOf(command)),
  );
}
