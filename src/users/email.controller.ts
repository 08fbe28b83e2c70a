import { Controller, Headers, HttpCode, Ip, Post } from '@nestjs/common';
import { Body } from '../common/validation.js';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNoContentResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { RequireRecentAuth } from '../access/access.decorators.js';
import { CurrentPrincipal } from '../access/current-principal.decorator.js';
import { Public } from '../access/public.decorator.js';
import type { Principal } from '../access/principal.js';
import { AuthRateLimit } from '../common/throttling.js';
import { ChangeEmailDto, MailAcceptedDto, VerifyEmailDto } from './dto/email.dto.js';
import { EmailVerificationService } from './email-verification.service.js';

const ACCEPTED = (detail: string): MailAcceptedDto => ({ status: 'accepted', detail });

/** Verifying and changing the account's e-mail address (links mailed to the address in question). */
@Controller()
export class EmailController {
  constructor(private readonly verification: EmailVerificationService) {}

  @Public()
  @Post('auth/email/verify')
  @AuthRateLimit()
  @HttpCode(204)
  @ApiTags('auth')
  @ApiOperation({
    summary: 'Use the token of a verification link: confirms the address, or applies a change',
  })
  @ApiNoContentResponse()
  @ApiBadRequestResponse({ description: 'INVALID_TOKEN: bad, used, replaced or expired link' })
  @ApiConflictResponse({ description: 'USER_EXISTS: the new address was taken meanwhile' })
  async verify(
    @Body() body: VerifyEmailDto,
    @Ip() ip: string,
    @Headers('user-agent') userAgent?: string,
  ): Promise<void> {
    await this.verification.verify(body.token, { ip, userAgent });
  }

  @Post('auth/email/verify/resend')
  @AuthRateLimit()
  @HttpCode(202)
  @ApiTags('auth')
  @ApiOperation({ summary: 'Send a new verification mail (the older link stops working)' })
  @ApiAcceptedResponse({ type: MailAcceptedDto })
  async resend(
    @CurrentPrincipal() principal: Principal,
    @Ip() ip: string,
    @Headers('user-agent') userAgent?: string,
  ): Promise<MailAcceptedDto> {
    await this.verification.resend(principal.user, { ip, userAgent });
    return ACCEPTED(
      'Unless the address is verified already, a new verification mail is on its way.',
    );
  }

  @Post('users/me/email')
  // Like the password change: the current password in the body, and a recent login (docs/security.md).
  @RequireRecentAuth()
  @AuthRateLimit()
  @HttpCode(202)
  @ApiTags('users')
  @ApiOperation({
    summary: 'Change your address: a link goes to the new one, a notice to the current one',
  })
  @ApiAcceptedResponse({ type: MailAcceptedDto })
  @ApiBadRequestResponse({ description: 'INVALID_CREDENTIALS: the password is not correct' })
  async change(
    @CurrentPrincipal() principal: Principal,
    @Body() body: ChangeEmailDto,
    @Ip() ip: string,
    @Headers('user-agent') userAgent?: string,
  ): Promise<MailAcceptedDto> {
    await this.verification.requestChange(principal.user, body.new_email, body.password, {
      ip,
      userAgent,
    });
    return ACCEPTED(
      'A confirmation link is on its way to the new address; the address changes when it is used.',
    );
  }
}
