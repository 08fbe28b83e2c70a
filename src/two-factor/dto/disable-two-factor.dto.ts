import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { IsTotpCode } from './two-factor.rules.js';

export class DisableTwoFactorDto {
  @ApiProperty({ format: 'password' })
  @IsString()
  @MaxLength(1024)
  password: string;

  @IsTotpCode()
  code: string;
}
