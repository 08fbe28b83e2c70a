import { ApiProperty } from '@nestjs/swagger';

export class TwoFactorSetupResponse {
  @ApiProperty({ description: 'Base32 TOTP secret, for typing into an authenticator by hand' })
  secret: string;
  @ApiProperty({ example: 'otpauth://totp/Gatehouse:ada%40example.com?secret=...' })
  otpauth_url: string;
  @ApiProperty({ description: 'The otpauth URL as a QR code: data:image/png;base64,...' })
  qr_code: string;
}

export class RecoveryCodesResponse {
  @ApiProperty({
    type: [String],
    description: 'Ten single-use codes for when the authenticator is lost; shown this once',
  })
  recovery_codes: string[];
}
