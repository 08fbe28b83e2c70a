import { randomBytes } from 'node:crypto';
import { CliError } from './cli-error.js';

export interface PasswordOptions {
  passwordStdin?: boolean;
  generatePassword?: boolean;
}

/** 24 URL-safe characters from 144 random bits: far past the policy, shown once. */
function generatedPassword(): string {
  return randomBytes(18).toString('base64url');
}

async function readAll(stream: NodeJS.ReadStream): Promise<string> {
  let text = '';
  stream.setEncoding('utf8');
  for await (const chunk of stream) text += chunk as string;
  return text;
}

/** One line typed at the terminal without echo. */
function promptHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const done = (error?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const character of chunk) {
        if (character === '\r' || character === '\n') return done();
        if (character === '\u0003' || character === '\u0004')
          return done(new CliError('cancelled'));
        if (character === '\u007f' || character === '\b') value = value.slice(0, -1);
        else value += character;
      }
    };
    stdin.on('data', onData);
  });
}

/**
 * A new password never comes from the command line itself (other users of the machine see it in the
 * process list): `--password-stdin` reads it from a pipe, or asks twice at a terminal; or
 * `--generate-password` makes one, printed once. (The command checks that exactly one was given.)
 */
export async function readNewPassword(
  options: PasswordOptions,
): Promise<{ password: string; generated: boolean }> {
  if (options.generatePassword) return { password: generatedPassword(), generated: true };
  if (process.stdin.isTTY) {
    const first = await promptHidden('New password: ');
    const second = await promptHidden('Repeat it: ');
    if (first !== second) throw new CliError('the two passwords differ');
    return { password: first, generated: false };
  }
  // A trailing newline (echo, a here-string) is not part of the password.
  return { password: (await readAll(process.stdin)).replace(/\r?\n$/, ''), generated: false };
}
