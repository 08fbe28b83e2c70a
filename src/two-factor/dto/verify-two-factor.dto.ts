import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { IsRecoveryCode, IsTotpCode } from './two-factor.rules.js';

/** `{ mfa_token, code }` or `{ mfa_token, recovery_code }`: exactly one factor (checked by the route). */
export class VerifyTwoFactorDto {
  @ApiProperty({ description: 'From the 403 mfa_required answer of the password grant' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  mfa_token: string;

  @IsTotpCode({ optional: true })
  code?: string;

  @IsRecoveryCode()
  recovery_code?: string;
}
