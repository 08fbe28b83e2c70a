import { ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  Length,
  ValidateIf,
} from 'class-validator';
import { PERMISSIONS, ROLES, type Role } from '../../access/roles.js';

/** Absent leaves the field as it is; null is not a value of these fields, so it is a 400 (not a NULL column). */
const AbsentOrGiven = () => ValidateIf((_object, value) => value !== undefined);

export class AdminUpdateUserDto {
  @ApiPropertyOptional({ enum: ROLES, isArray: true })
  @AbsentOrGiven()
  @IsArray()
  @ArrayMaxSize(ROLES.length)
  @ArrayUnique()
  @IsIn(ROLES, { each: true })
  roles?: Role[];

  @ApiPropertyOptional({
    enum: PERMISSIONS,
    isArray: true,
    description: 'Extra grants on top of the roles',
  })
  @AbsentOrGiven()
  @IsArray()
  @ArrayMaxSize(PERMISSIONS.length)
  @ArrayUnique()
  @IsIn(PERMISSIONS, { each: true })
  permissions?: string[];

  @ApiPropertyOptional({ description: 'false ends all of the user’s sessions' })
  @AbsentOrGiven()
  @IsBoolean()
  is_active?: boolean;

  @ApiPropertyOptional({ maxLength: 200, nullable: true, type: String })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  full_name?: string | null;
}
