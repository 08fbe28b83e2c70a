import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { IsPassword } from '../../users/dto/password.rules.js';

export class ChangePasswordDto {
  @ApiProperty({ format: 'password' })
  @IsString()
  @MaxLength(1024)
  current_password: string;

  @IsPassword()
  new_password: string;
}
