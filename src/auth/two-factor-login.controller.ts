import { Controller, HttpCode, Post } from '@nestjs/common';
import { Body } from '../common/validation.js';
import {
  ApiBadRequestResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Public } from '../access/public.decorator.js';
import { AppError } from '../common/errors/app-error.js';
import { NoStore } from '../common/http/no-store.decorator.js';
import { AuthRateLimit } from '../common/throttling.js';
import { VerifyTwoFactorDto } from '../two-factor/dto/verify-two-factor.dto.js';
import { AuthService, type ClientInfo, type TokenResponse } from './auth.service.js';
import { Client } from '../common/http/request-client.decorator.js';
import { SetsDeviceCookie } from './device-cookie.js';
import { TokenResponseDto } from './dto/token.response.js';

/** The second step of a password login for users with two-factor on: it issues the tokens. */
@ApiTags('two-factor')
@Controller('auth/2fa')
export class TwoFactorLoginController {
  constructor(private readonly authService: AuthService) {}

  @Public()
  @Post('verify')
  @AuthRateLimit()
  @SetsDeviceCookie()
  @HttpCode(200)
  @NoStore()
  @ApiOperation({
    summary:
      'Complete a login that answered mfa_required: the mfa_token with a TOTP code or a recovery code',
  })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiBadRequestResponse({
    description: 'Malformed body, or a wrong code (INVALID_TWO_FACTOR_CODE)',
  })
  @ApiUnauthorizedResponse({
    description: 'INVALID_MFA_TOKEN: unknown, expired, used, or dead after 5 wrong codes',
  })
  verify(@Body() body: VerifyTwoFactorDto, @Client() client: ClientInfo): Promise<TokenResponse> {
    const given = [body.code, body.recovery_code].filter((value) => value !== undefined);
    if (given.length !== 1) {
      throw new AppError('VALIDATION_FAILED', 'Send exactly one of code and recovery_code.', {
        errors: [{ field: 'code', message: 'exactly one of code and recovery_code is required' }],
      });
    }
    const factor =
      body.code !== undefined ? { code: body.code } : { recoveryCode: body.recovery_code! };
    return this.authService.completeTwoFactorLogin(body.mfa_token, factor, client);
  }
}
