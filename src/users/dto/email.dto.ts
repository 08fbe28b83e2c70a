import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsString, MaxLength } from 'class-validator';

export class VerifyEmailDto {
  @ApiProperty({ description: 'The token of the verification link (`?token=`)', maxLength: 128 })
  @IsString()
  @MaxLength(128)
  token: string;
}

export class ChangeEmailDto {
  @ApiProperty({ format: 'email', maxLength: 254 })
  @IsEmail({}, { message: 'new_email must be a valid email address' })
  @MaxLength(254)
  new_email: string;

  @ApiProperty({ format: 'password', description: 'Your current password' })
  @IsString()
  @MaxLength(1024)
  password: string;
}

export class MailAcceptedDto {
  @ApiProperty({ example: 'accepted' }) status: 'accepted';
  @ApiProperty() detail: string;
}
