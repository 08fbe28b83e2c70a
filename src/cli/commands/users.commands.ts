import { type Command, Option } from 'commander';
import { ROLES, type Role } from '../../access/roles.js';
import { UsageError } from '../cli-error.js';
import type { PasswordOptions } from '../password-input.js';
import { leaf, oneOf, outputOf, positiveInt } from '../program-helpers.js';
import type { CreateOptions, ListOptions } from './users.actions.js';

/** The services load only when a command runs: `--help` and usage errors answer at once. */
const actions = () => import('./users.actions.js');

const USER_ARGUMENT = ['<user>', 'id, username or email'] as const;

function passwordOptions(command: Command): Command {
  return command
    .option('--password-stdin', 'read the password from stdin (asked twice at a terminal)')
    .option('--generate-password', 'generate a strong password and print it once');
}

function checkPasswordOptions(options: PasswordOptions): void {
  if (Boolean(options.passwordStdin) === Boolean(options.generatePassword))
    throw new UsageError('give exactly one of --password-stdin or --generate-password');
}

export function registerUsersCommands(program: Command): void {
  const users = program.command('users').description('User accounts');

  leaf(
    users
      .command('list')
      .description('Users, oldest first, with search and filters')
      .option('--search <text>', 'part of the email, username or full name')
      .addOption(new Option('--role <role>', 'only holders of this role').argParser(oneOf(ROLES)))
      .addOption(new Option('--active', 'only active users').conflicts('disabled'))
      .option('--disabled', 'only disabled users')
      .addOption(new Option('--page <n>').argParser(positiveInt(100_000)).default(1))
      .addOption(new Option('--limit <n>').argParser(positiveInt(100)).default(20)),
  ).action(async (options: ListOptions, command: Command) =>
    (await actions()).list(options, outputOf(command)),
  );

  leaf(
    users
      .command('show')
      .description('One user, with the state of their login lockout')
      .argument(...USER_ARGUMENT),
  ).action(async (ref: string, _options, command: Command) =>
    (await actions()).show(ref, outputOf(command)),
  );

  leaf(
    passwordOptions(
      users
        .command('create')
        .description('Create a user (password policy as on registration); e.g. the first admin')
        .requiredOption('--email <email>', 'their email address')
        .requiredOption('--username <username>', '3 to 32 letters, digits, "_", "." or "-"')
        .option('--full-name <name>', 'their name')
        .addOption(
          new Option('--role <role>', 'their role').argParser(oneOf(ROLES)).default('user'),
        ),
    ),
  ).action(async (options: CreateOptions, command: Command) => {
    checkPasswordOptions(options);
    await (await actions()).create(options, outputOf(command));
  });

  leaf(
    users
      .command('set-role')
      .description('Give a user exactly this role (the last active admin keeps theirs)')
      .argument(...USER_ARGUMENT)
      .argument('<role>', ROLES.join(' | '), oneOf(ROLES)),
  ).action(async (ref: string, role: Role, _options, command: Command) =>
    (await actions()).setRole(ref, role, outputOf(command)),
  );

  leaf(
    passwordOptions(
      users
        .command('set-password')
        .description('Set a user’s password (policy applies); ends every session, lifts a lockout')
        .argument(...USER_ARGUMENT),
    ),
  ).action(async (ref: string, options: PasswordOptions, command: Command) => {
    checkPasswordOptions(options);
    await (await actions()).setPassword(ref, options, outputOf(command));
  });

  leaf(
    users
      .command('send-reset')
      .description(
        'Send a user a password-reset mail (the same mail as POST /auth/password/forgot)',
      )
      .argument(...USER_ARGUMENT),
  ).action(async (ref: string, _options, command: Command) =>
    (await actions()).sendReset(ref, outputOf(command)),
  );

  for (const [name, isActive, description] of [
    [
      'disable',
      false,
      'Disable a user: their sessions end, their tokens and API keys stop working',
    ],
    ['enable', true, 'Enable a disabled user again'],
  ] as const) {
    leaf(
      users
        .command(name)
        .description(description)
        .argument(...USER_ARGUMENT),
    ).action(async (ref: string, _options, command: Command) =>
      (await actions()).setActive(ref, isActive, outputOf(command)),
    );
  }

  leaf(
    users
      .command('unlock')
      .description('Lift a login lockout before it ends by itself')
      .argument(...USER_ARGUMENT),
  ).action(async (ref: string, _options, command: Command) =>
    (await actions()).unlock(ref, outputOf(command)),
  );

  leaf(
    users
      .command('end-sessions')
      .description('End every session of a user: their tokens stop working at once, everywhere')
      .argument(...USER_ARGUMENT),
  ).action(async (ref: string, _options, command: Command) =>
    (await actions()).endSessions(ref, outputOf(command)),
  );

  leaf(
    users
      .command('reset-2fa')
      .description('Turn a user’s two-factor off (lost device); their recovery codes go with it')
      .argument(...USER_ARGUMENT),
  ).action(async (ref: string, _options, command: Command) =>
    (await actions()).resetTwoFactor(ref, outputOf(command)),
  );

  leaf(
    users
      .command('delete')
      .description('Delete a user; their sessions, keys and items go with them')
      .argument(...USER_ARGUMENT),
  ).action(async (ref: string, _options, command: Command) =>
    (await actions()).remove(ref, outputOf(command)),
  );
}
