import { Controller, Get, HttpCode, Post, Req, StreamableFile } from '@nestjs/common';
import { Body } from '../common/validation.js';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import { AllowMfaEnrollment, RequireRecentAuth } from '../access/access.decorators.js';
import { CurrentPrincipal } from '../access/current-principal.decorator.js';
import { NoStore } from '../common/http/no-store.decorator.js';
import type { Principal } from '../access/principal.js';
import { AuthRateLimit } from '../common/throttling.js';
import { type ClientRequestLike as ClientRequest, clientOf } from '../common/http/client-info.js';
import { DisableTwoFactorDto } from './dto/disable-two-factor.dto.js';
import { EnableTwoFactorDto } from './dto/enable-two-factor.dto.js';
import { RecoveryCodesResponse, TwoFactorSetupResponse } from './dto/two-factor.responses.js';
import { TwoFactorService } from './two-factor.service.js';

/**
 * Enrolment and turning it off. The second login step (`POST /auth/2fa/verify`) issues tokens, so it
 * lives in the auth module (auth -> two-factor). Setup, QR code and enable also serve credentials
 * restricted to enrolment (REQUIRE_2FA_ROLES).
 */
@ApiTags('two-factor')
@Controller('auth/2fa')
export class TwoFactorController {
  constructor(private readonly twoFactor: TwoFactorService) {}

  @Post('setup')
  @NoStore()
  @HttpCode(200)
  @AllowMfaEnrollment()
  @RequireRecentAuth()
  @ApiOperation({
    summary: 'Start TOTP enrolment: a new secret, its otpauth URL and QR code; nothing is on yet',
  })
  @ApiOkResponse({ type: TwoFactorSetupResponse })
  @ApiConflictResponse({ description: 'TWO_FACTOR_ALREADY_ENABLED' })
  async setup(@CurrentPrincipal() principal: Principal): Promise<TwoFactorSetupResponse> {
    const setup = await this.twoFactor.beginSetup(principal.user);
    return { secret: setup.secret, otpauth_url: setup.otpauthUrl, qr_code: setup.qrCode };
  }

  @Get('qr.png')
  @NoStore()
  @AllowMfaEnrollment()
  @RequireRecentAuth()
  @ApiOperation({ summary: 'The pending setup’s QR code as a PNG image' })
  @ApiProduces('image/png')
  @ApiOkResponse({ description: 'PNG image' })
  @ApiNotFoundResponse({ description: 'No setup is pending' })
  async qrCode(@CurrentPrincipal() principal: Principal): Promise<StreamableFile> {
    const png = await this.twoFactor.pendingQrCode(principal.user);
    return new StreamableFile(png, { type: 'image/png', length: png.length });
  }

  @Post('enable')
  @NoStore()
  @HttpCode(200)
  @AllowMfaEnrollment()
  @RequireRecentAuth()
  @AuthRateLimit()
  @ApiOperation({
    summary: 'Confirm the pending secret with a code: two-factor is on; recovery codes shown once',
  })
  @ApiOkResponse({ type: RecoveryCodesResponse })
  @ApiBadRequestResponse({ description: 'Malformed or wrong code (INVALID_TWO_FACTOR_CODE)' })
  @ApiConflictResponse({ description: 'TWO_FACTOR_SETUP_REQUIRED or TWO_FACTOR_ALREADY_ENABLED' })
  async enable(
    @CurrentPrincipal() principal: Principal,
    @Body() body: EnableTwoFactorDto,
    @Req() request: ClientRequest,
  ): Promise<RecoveryCodesResponse> {
    const codes = await this.twoFactor.enable(principal.user, body.code, clientOf(request));
    return { recovery_codes: codes };
  }

  @Post('disable')
  @HttpCode(204)
  @RequireRecentAuth()
  @AuthRateLimit()
  @ApiOperation({ summary: 'Turn two-factor off: needs your password and a current code' })
  @ApiNoContentResponse()
  @ApiBadRequestResponse({ description: 'INVALID_CREDENTIALS or INVALID_TWO_FACTOR_CODE' })
  @ApiConflictResponse({ description: 'TWO_FACTOR_NOT_ENABLED' })
  async disable(
    @CurrentPrincipal() principal: Principal,
    @Body() body: DisableTwoFactorDto,
    @Req() request: ClientRequest,
  ): Promise<void> {
    await this.twoFactor.disable(principal.user, body.password, body.code, clientOf(request));
  }
}
