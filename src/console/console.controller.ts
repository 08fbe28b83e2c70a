import { Controller, Get, Res, StreamableFile } from '@nestjs/common';
import { Param } from '../common/validation.js';
import { HttpAdapterHost } from '@nestjs/core';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../access/public.decorator.js';
import { AppError } from '../common/errors/app-error.js';
import { type ConsoleAsset, loadConsoleAssets } from './console-assets.js';

/**
 * Stricter than the API's default policy (which allows inline styles for Swagger UI): the console is
 * built with no inline script or style, talks only to this origin, and is never framed.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

const ONE_YEAR = 365 * 24 * 60 * 60;

/** Serves the admin console (issue 18): a static single-page app, a client of the public API. */
@ApiExcludeController()
@Controller('console')
@Public()
export class ConsoleController {
  private readonly assets = loadConsoleAssets();

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  @Get()
  index(@Res({ passthrough: true }) reply: unknown): StreamableFile {
    if (!this.assets) {
      throw new AppError('NOT_FOUND', 'The console is not built: run npm run build.');
    }
    // index.html names the hashed assets of this build: always asked for again.
    return this.send(reply, this.assets.index, 'no-cache');
  }

  @Get('assets/:file')
  asset(@Param('file') file: string, @Res({ passthrough: true }) reply: unknown): StreamableFile {
    const asset = this.assets?.files.get(file);
    if (!asset) throw new AppError('NOT_FOUND', 'No such console file.');
    return this.send(reply, asset, `public, max-age=${ONE_YEAR}, immutable`);
  }

  /**
   * The bytes as they are, on either adapter: a StreamableFile, because Express's adapter answers a bare
   * Buffer with JSON (`{"type":"Buffer","data":[...]}`), which left the console blank on Express. Its
   * `type` and `length` become Content-Type and Content-Length on both adapters.
   */
  private send(reply: unknown, asset: ConsoleAsset, cacheControl: string): StreamableFile {
    const adapter = this.adapterHost.httpAdapter;
    adapter.setHeader(reply, 'Cache-Control', cacheControl);
    adapter.setHeader(reply, 'Content-Security-Policy', CONSOLE_CSP);
    return new StreamableFile(asset.body, { type: asset.contentType, length: asset.body.length });
  }
}
