import { Controller, Get, Header, HttpCode, Headers, Ip, Post, Res } from '@nestjs/common';
import { Body, Query } from '../common/validation.js';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Public } from '../access/public.decorator.js';
import { AppError } from '../common/errors/app-error.js';
import { errorList, escapeHtml, htmlPage, type PageReply } from '../common/http/html-page.js';
import { NoStore } from '../common/http/no-store.decorator.js';
import { AuthRateLimit } from '../common/throttling.js';
import { EmailVerificationService } from './email-verification.service.js';

const HTML = 'text/html; charset=utf-8';
const TITLE = 'Confirm your e-mail address';

/**
 * The `verify-email` page of mailed links. Opening the link only shows a button: mail scanners and
 * link previews fetch links, so nothing changes on GET; the button posts the token to this page.
 */
@ApiTags('pages')
@ApiProduces('text/html')
@Public()
@NoStore()
@Controller('verify-email')
export class VerifyEmailPage {
  constructor(private readonly verification: EmailVerificationService) {}

  @Get()
  @Header('Content-Type', HTML)
  @ApiOperation({ summary: 'HTML page of verification links: a button that posts the token' })
  @ApiOkResponse({ description: 'An HTML page' })
  show(@Query('token') token: unknown): string {
    if (typeof token !== 'string' || token === '') {
      return htmlPage(TITLE, errorList(['This page needs the link from your mail.']));
    }
    return htmlPage(
      TITLE,
      `<form method="post" action="/verify-email">` +
        `<input type="hidden" name="token" value="${escapeHtml(token)}">` +
        `<button type="submit">Confirm my address</button></form>`,
    );
  }

  @Post()
  @HttpCode(200)
  @AuthRateLimit()
  @Header('Content-Type', HTML)
  @ApiOperation({ summary: 'The button of the page (form-encoded token)' })
  @ApiOkResponse({ description: 'An HTML page; 400 or 409 with the reason when refused' })
  async confirm(
    @Body() form: unknown,
    @Ip() ip: string,
    @Res({ passthrough: true }) reply: PageReply,
    @Headers('user-agent') userAgent?: string,
  ): Promise<string> {
    const token = (form as { token?: unknown } | null)?.token;
    try {
      await this.verification.verify(token, { ip, userAgent });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      reply.status(error.status);
      return htmlPage(TITLE, errorList([error.message]));
    }
    return htmlPage('Address confirmed', '<p>Thank you: your e-mail address is confirmed.</p>');
  }
}
