import { IsPassword } from '../users/dto/password.rules.js';

/** A new password given to the CLI, checked by the API's own length rule. */
export class PasswordInput {
  @IsPassword()
  password: string;
}
