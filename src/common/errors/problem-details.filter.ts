import type { ServerResponse } from 'node:http';
import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { toErrorResponse } from './error-response.js';
import { recordProblemCode } from './problem-code.js';

/** The one place where thrown errors become HTTP answers (problem details, or RFC 6749 on token routes). */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<{ id?: string; method?: string; url?: string }>();
    const reply = http.getResponse<unknown>();
    const response = toErrorResponse(exception);
    if (response.unexpected) {
      // The path without its query string: a query may carry a token from an old client.
      const path = request.url?.split('?')[0];
      this.logger.error(
        `request ${request.id ?? '-'} ${request.method} ${path} failed`,
        exception instanceof Error ? exception.stack : String(exception),
      );
    }
    const { code, error } = response.body as { code?: string; error?: string };
    const raw = (reply as { raw?: ServerResponse }).raw ?? (reply as ServerResponse);
    if (code ?? error) recordProblemCode(raw, (code ?? error) as string);
    const adapter = this.adapterHost.httpAdapter;
    for (const [name, value] of Object.entries(response.headers)) {
      adapter.setHeader(reply, name, value);
    }
    adapter.reply(reply, JSON.stringify(response.body), response.status);
  }
}
