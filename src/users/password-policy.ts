import { dictionary } from '@zxcvbn-ts/language-common';
import { AppError } from '../common/errors/app-error.js';

/**
 * NIST SP 800-63B style, entirely offline: length is checked by validation (8 to 128); here a password
 * is refused when it is one of the ~49,000 most common passwords (the list of @zxcvbn-ts/language-common,
 * compiled from breach corpora), or equal to the account's username or email. No composition rules.
 */
const COMMON_PASSWORDS = new Set(
  dictionary['passwords-common'].map((password) => password.toLowerCase()),
);

export function passwordProblem(
  password: string,
  account: { username: string; email: string },
): string | undefined {
  const folded = password.toLowerCase();
  if (COMMON_PASSWORDS.has(folded)) return 'is one of the most common passwords; choose another';
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
