import { Controller, Get, Header, HttpCode, Post, Res } from '@nestjs/common';
import { Body, Query } from '../common/validation.js';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Public } from '../access/public.decorator.js';
import { AppError } from '../common/errors/app-error.js';
import { errorList, escapeHtml, htmlPage, type PageReply } from '../common/http/html-page.js';
import { NoStore } from '../common/http/no-store.decorator.js';
import { AuthRateLimit } from '../common/throttling.js';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../users/dto/password.rules.js';
import type { ClientInfo } from './auth.service.js';
import { Client } from '../common/http/request-client.decorator.js';
import { FORGOT_ACCEPTED } from './dto/password-reset.dto.js';
import { PasswordResetService } from './password-reset.service.js';

const HTML = 'text/html; charset=utf-8';
const TITLE = 'Reset your password';

function field(form: unknown, name: string): string {
  const value = (typeof form === 'object' && form !== null ? form : {}) as Record<string, unknown>;
  return typeof value[name] === 'string' ? value[name] : '';
}

function newPasswordForm(token: string, errors: string[] = []): string {
  return htmlPage(
    TITLE,
    `${errorList(errors)}<form method="post" action="/reset-password">` +
      `<input type="hidden" name="token" value="${escapeHtml(token)}">` +
      `<label for="new_password">New password (${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters)</label>` +
      `<input id="new_password" name="new_password" type="password" autocomplete="new-password" required minlength="${PASSWORD_MIN_LENGTH}" maxlength="${PASSWORD_MAX_LENGTH}">` +
      `<button type="submit">Set the new password</button></form>`,
  );
}

function requestForm(errors: string[] = []): string {
  return htmlPage(
    TITLE,
    `${errorList(errors)}<p>Enter the address of your account: if it has one, a reset link is mailed to it.</p>` +
      `<form method="post" action="/reset-password/request">` +
      `<label for="email">E-mail address</label>` +
      `<input id="email" name="email" type="email" autocomplete="email" required maxlength="254">` +
      `<button type="submit">Mail me a reset link</button></form>`,
  );
}

/**
 * The `reset-password` page mailed links point at when there is no APP_URL front-end: plain HTML forms,
 * no script. With `?token=` it asks for the new password; without, for the address to mail a link to.
 * The forms post to this page, which calls the same service as the JSON API and answers in HTML.
 */
@ApiTags('pages')
@ApiProduces('text/html')
@Public()
@NoStore()
@Controller('reset-password')
export class PasswordResetPage {
  constructor(private readonly resets: PasswordResetService) {}

  @Get()
  @Header('Content-Type', HTML)
  @ApiOperation({
    summary:
      'HTML page of reset links: new-password form with ?token=, else a form asking for the address',
  })
  @ApiOkResponse({ description: 'An HTML page' })
  show(@Query('token') token: unknown): string {
    return typeof token === 'string' && token !== '' ? newPasswordForm(token) : requestForm();
  }

  @Post()
  @HttpCode(200)
  @AuthRateLimit()
  @Header('Content-Type', HTML)
  @ApiOperation({ summary: 'The new-password form (form-encoded token, new_password)' })
  @ApiOkResponse({ description: 'An HTML page; 400 with the reason when refused' })
  async reset(
    @Body() form: unknown,
    @Client() client: ClientInfo,
    @Res({ passthrough: true }) reply: PageReply,
  ): Promise<string> {
    const token = field(form, 'token');
    const password = field(form, 'new_password');
    try {
      if (password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH) {
        throw new AppError(
          'VALIDATION_FAILED',
          `The password must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters long.`,
        );
      }
      await this.resets.reset(token, password, client);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      reply.status(error.status);
      if (error.code === 'INVALID_TOKEN') {
        return requestForm([`${error.message} Ask for a new link below.`]);
      }
      const messages = error.options.errors?.map((e) => e.message) ?? [];
      return newPasswordForm(token, [error.message, ...messages]);
    }
    return htmlPage(
      'Password changed',
      '<p>Your password was changed and every session was ended. You can sign in with the new password now.</p>',
    );
  }

  @Post('request')
  @HttpCode(200)
  @AuthRateLimit()
  @Header('Content-Type', HTML)
  @ApiOperation({ summary: 'The address form (form-encoded email): same as /auth/password/forgot' })
  @ApiOkResponse({ description: 'An HTML page' })
  request(
    @Body() form: unknown,
    @Client() client: ClientInfo,
    @Res({ passthrough: true }) reply: PageReply,
  ): string {
    const email = field(form, 'email').trim();
    if (!/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 254) {
      reply.status(400);
      return requestForm(['Please enter an e-mail address.']);
    }
    this.resets.forgot(email, client);
    return htmlPage('Check your mail', `<p>${escapeHtml(FORGOT_ACCEPTED.detail)}</p>`);
  }
}
