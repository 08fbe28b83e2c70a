import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Public } from '../common/decorators/public.decorator.js';

const DATABASE_TIMEOUT_MS = 2000;

@ApiTags('service')
@Controller('health')
@Public()
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Liveness and readiness: 503 when the database does not answer' })
  @ApiOkResponse({ schema: { example: { status: 'ok', checks: { database: 'up' } } } })
  @ApiServiceUnavailableResponse({
    schema: { example: { status: 'error', checks: { database: 'down' } } },
  })
  async health(@Res() reply: unknown): Promise<void> {
    const up = await this.databaseIsUp();
    this.adapterHost.httpAdapter.setHeader(reply, 'Cache-Control', 'no-store');
    this.adapterHost.httpAdapter.reply(
      reply,
      { status: up ? 'ok' : 'error', checks: { database: up ? 'up' : 'down' } },
      up ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE,
    );
  }

  private async databaseIsUp(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), DATABASE_TIMEOUT_MS);
    });
    try {
      return await Promise.race([this.dataSource.query('SELECT 1').then(() => true), timeout]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}
