import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { describeFailure, EXIT, oneLine, UsageError } from './cli-error.js';
import { registerApiKeysCommands } from './commands/api-keys.commands.js';
import { registerAuditCommands } from './commands/audit.commands.js';
import { registerClientsCommands } from './commands/clients.commands.js';
import { registerDbCommands } from './commands/db.commands.js';
import { registerKeysCommands } from './commands/keys.commands.js';
import { registerMailCommands } from './commands/mail.commands.js';
import { registerSessionsCommands } from './commands/sessions.commands.js';
import { registerUsersCommands } from './commands/users.commands.js';

/** The version in package.json (beside dist/ in a checkout and in the image). */
function packageVersion(): string {
  const file = new URL('../../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

export function buildProgram(): Command {
  const program = new Command('gatehouse')
    .description(
      'Operator commands for Gatehouse, through the same services and rules as the API.\n' +
        'Works on DATABASE_URL, or on the embedded database under .data/ (running or not).\n' +
        'Exit status: 0 done, 1 failed (one line on stderr says why), 2 usage error.',
    )
    .version(packageVersion())
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      // Usage errors are one line too (commander may add a suggestion on a line of its own).
      outputError: (message, write) =>
        write(`gatehouse: ${oneLine(message.replace(/^error: /, ''))}\n`),
    });
  registerUsersCommands(program);
  registerApiKeysCommands(program);
  registerClientsCommands(program);
  registerKeysCommands(program);
  registerSessionsCommands(program);
  registerMailCommands(program);
  registerAuditCommands(program);
  registerDbCommands(program);
  return program;
}

/** Runs one command line; resolves with the exit status. */
export async function run(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end with 0; a group named without a command shows its help: usage.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const { code, message } = describeFailure(error);
    if (argv.includes('--json'))
      process.stdout.write(`${JSON.stringify({ error: { code, message: oneLine(message) } })}\n`);
    process.stderr.write(`gatehouse: ${oneLine(message)}\n`);
    return error instanceof UsageError ? EXIT.usage : EXIT.failed;
  }
}
