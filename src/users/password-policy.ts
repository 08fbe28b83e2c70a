import { createRequire } from 'node:module';
import { AppError } from '../common/errors/app-error.js';

const require = createRequire(import.meta.url);

/**
 * NIST SP 800-63B style, entirely offline: length is checked by validation (8 to 128); here a password
 * is refused when it is one of the ~49,000 most common passwords (the list of @zxcvbn-ts/language-common,
 * compiled from breach corpora), or equal to the account's username or email. No composition rules.
 */
let commonPasswords: ReadonlySet<string> | undefined;

/**
 * The list, loaded with the first password checked rather than at start-up: decompressing the package's
 * dictionaries and folding the list cost about 100 ms of CPU and 4 MB of heap that a process serving
 * only tokens never needs (the first registration pays them once, beside its bcrypt hash).
 */
function commonPasswordList(): ReadonlySet<string> {
  if (!commonPasswords) {
    const { dictionary } =
      require('@zxcvbn-ts/language-common') as typeof import('@zxcvbn-ts/language-common');
    commonPasswords = new Set(
      dictionary['passwords-common'].map((password) => password.toLowerCase()),
    );
  }
  return commonPasswords;
}

export function passwordProblem(
  password: string,
  account: { username: string; email: string },
): string | undefined {
  const folded = password.toLowerCase();
  if (commonPasswordList().has(folded))
    return 'is one of the most common passwords; choose another';
  if (folded === account.username.toLowerCase() || folded === account.email.toLowerCase()) {
    return 'must not be your username or email';
  }
  return undefined;
}

/** Throws the 400 a client sees, naming the field the password came in. */
export function assertAcceptablePassword(
  password: string,
  account: { username: string; email: string },
  field = 'password',
): void {
  const problem = passwordProblem(password, account);
  if (problem) {
    throw new AppError('VALIDATION_FAILED', 'The password does not meet the password policy.', {
      errors: [{ field, message: `${field} ${problem}` }],
    });
  }
}
