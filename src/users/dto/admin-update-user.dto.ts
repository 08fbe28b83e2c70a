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
} from 'class-validator';
import { PERMISSIONS, ROLES, type Role } from '../../access/roles.js';
import { AbsentOrGiven } from '../../common/dto/absent-or-given.js';

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
