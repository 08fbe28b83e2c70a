import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import { RECOVERY_CODE_PATTERN, TOTP_CODE_PATTERN } from '../totp.js';

/** Six digits, nothing else: anything malformed is a 400 before any secret is touched. */
export const IsTotpCode = (options: { optional?: boolean } = {}) =>
  applyDecorators(
    options.optional
      ? ApiPropertyOptional({ pattern: TOTP_CODE_PATTERN.source, example: '123456' })
      : ApiProperty({ pattern: TOTP_CODE_PATTERN.source, example: '123456' }),
    ...(options.optional ? [IsOptional()] : []),
    IsString(),
    Matches(TOTP_CODE_PATTERN, { message: 'code must be the 6 digits your authenticator shows' }),
  );

export const IsRecoveryCode = () =>
  applyDecorators(
    ApiPropertyOptional({ pattern: RECOVERY_CODE_PATTERN.source, example: 'ABCD-EFGH-IJKL-MNOP' }),
    IsOptional(),
    IsString(),
    Matches(RECOVERY_CODE_PATTERN, {
      message: 'recovery_code must be one of your recovery codes, like ABCD-EFGH-IJKL-MNOP',
    }),
  );
