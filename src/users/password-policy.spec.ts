import { passwordProblem } from './password-policy.js';

const account = { username: 'ada_lovelace', email: 'ada@example.com' };

describe('password policy', () => {
  it.each(['password', 'Password1', 'iloveyou', 'qwertyuiop', '12345678', 'football'])(
    'refuses the common %s',
    (pw) => {
      expect(passwordProblem(pw, account)).toMatch(/most common/);
    },
  );

  it('refuses the username or email, in any case', () => {
    expect(passwordProblem('ADA_LOVELACE', account)).toMatch(/username or email/);
    expect(passwordProblem('ada@example.com', account)).toMatch(/username or email/);
  });

  it('accepts an uncommon passphrase with no composition rules', () => {
    expect(passwordProblem('correct horse battery staple of mine', account)).toBeUndefined();
    expect(passwordProblem('zqxjvkwp', account)).toBeUndefined();
  });
});
