import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsString, MaxLength } from 'class-validator';
import { type MailAcceptedDto } from '../../users/dto/email.dto.js';
import { IsPassword } from '../../users/dto/password.rules.js';

export class ForgotPasswordDto {
  @ApiProperty({ format: 'email', maxLength: 254 })
  @IsEmail({}, { message: 'email must be a valid email address' })
  @MaxLength(254)
  email: string;
}

export class ResetPasswordDto {
  @ApiProperty({ description: 'The token of the reset link (`?token=`)', maxLength: 128 })
  @IsString()
  @MaxLength(128)
  token: string;

  @IsPassword()
  new_password: string;
}

export const FORGOT_ACCEPTED: MailAcceptedDto = {
  status: 'accepted',
  detail: 'If an active account uses this address, a mail with a reset link is on its way.',
};
