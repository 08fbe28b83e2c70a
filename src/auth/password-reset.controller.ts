import { Controller, HttpCode, Post } from '@nestjs/common';
import { Body, Param } from '../common/validation.js';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiNoContentResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Scopes } from '../access/access.decorators.js';
import { CurrentPrincipal } from '../access/current-principal.decorator.js';
import { Public } from '../access/public.decorator.js';
import { uuidParam } from '../common/http/uuid-param.js';
import { NoStore } from '../common/http/no-store.decorator.js';
import type { Principal } from '../access/principal.js';
import { AuthRateLimit } from '../common/throttling.js';
import type { ClientInfo } from './auth.service.js';
import { Client } from '../common/http/request-client.decorator.js';
import { MailAcceptedDto } from '../users/dto/email.dto.js';
import { FORGOT_ACCEPTED, ForgotPasswordDto, ResetPasswordDto } from './dto/password-reset.dto.js';
import { PasswordResetService } from './password-reset.service.js';

@ApiTags('auth')
@Controller('auth/password')
export class PasswordResetController {
  constructor(private readonly resets: PasswordResetService) {}

  @Public()
  @Post('forgot')
  @AuthRateLimit()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Ask for a reset link: the same 202 whether or not the address has an account',
  })
  @ApiAcceptedResponse({ type: MailAcceptedDto })
  forgot(@Body() body: ForgotPasswordDto, @Client() client: ClientInfo): MailAcceptedDto {
    this.resets.forgot(body.email, client);
    return FORGOT_ACCEPTED;
  }

  @Public()
  @Post('reset')
  @AuthRateLimit()
  @HttpCode(204)
  @NoStore()
  @ApiOperation({
    summary: 'Set a new password with the token of a reset link; every session ends',
  })
  @ApiNoContentResponse()
  @ApiBadRequestResponse({
    description: 'INVALID_TOKEN (bad, used, replaced or expired link) or the password policy',
  })
  async reset(@Body() body: ResetPasswordDto, @Client() client: ClientInfo): Promise<void> {
    await this.resets.reset(body.token, body.new_password, client);
  }
}

@ApiTags('admin')
@Controller('admin/users')
export class AdminPasswordResetController {
  constructor(private readonly resets: PasswordResetService) {}

  @Post(':id/password-reset')
  @HttpCode(202)
  @Scopes('write:users')
  @ApiOperation({ summary: 'Send a user a password reset mail (rank rules apply)' })
  @ApiAcceptedResponse({ type: MailAcceptedDto })
  async send(
    @CurrentPrincipal() principal: Principal,
    @Param('id', uuidParam('user')) id: string,
    @Client() client: ClientInfo,
  ): Promise<MailAcceptedDto> {
    await this.resets.sendPasswordReset(id, { kind: 'admin', id: principal.user.id }, client);
    return {
      status: 'accepted',
      detail:
        'A reset mail is on its way, unless the account is disabled or had its share of mails this hour.',
    };
  }
}
