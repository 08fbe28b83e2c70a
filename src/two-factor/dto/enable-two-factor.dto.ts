import { IsTotpCode } from './two-factor.rules.js';

export class EnableTwoFactorDto {
  @IsTotpCode()
  code: string;
}
