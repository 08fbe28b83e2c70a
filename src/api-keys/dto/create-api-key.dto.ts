import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsDate,
  IsIn,
  IsOptional,
  IsString,
  Length,
  MinDate,
} from 'class-validator';
import { PERMISSIONS, type Permission } from '../../access/roles.js';

export const API_KEY_NAME_MAX_LENGTH = 100;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/;

export class CreateApiKeyDto {
  @ApiProperty({ minLength: 1, maxLength: API_KEY_NAME_MAX_LENGTH, example: 'CI deploy job' })
  @IsString()
  @Length(1, API_KEY_NAME_MAX_LENGTH, {
    message: `name must be 1 to ${API_KEY_NAME_MAX_LENGTH} characters long`,
  })
  name: string;

  @ApiProperty({
    type: [String],
    enum: PERMISSIONS,
    description:
      'What the key may do: a subset of the scopes your own token carries. At use time they are further capped by your permissions as they are then.',
    example: ['read:items'],
  })
  @IsArray()
  @ArrayMaxSize(PERMISSIONS.length)
  @ArrayUnique({ message: 'scopes must not repeat a scope' })
  @IsIn(PERMISSIONS, { each: true, message: 'each scope must be a known permission' })
  scopes: Permission[];

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the key stops working (ISO-8601, in the future); absent or null: never',
  })
  @IsOptional()
  // Only an ISO-8601 string becomes a date; a number or anything else stays as it is and is refused.
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && ISO_DATE_TIME.test(value) ? new Date(value) : value,
  )
  @IsDate({ message: 'expires_at must be an ISO-8601 date-time' })
  @MinDate(() => new Date(), { message: 'expires_at must be in the future' })
  expires_at?: Date | null;
}
