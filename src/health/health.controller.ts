import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Public } from '../access/public.decorator.js';
import { isDatabaseUnavailable } from '../common/errors/connection-errors.js';
import { Readiness } from './readiness.js';

const DATABASE_TIMEOUT_MS = 2000;

type Check = 'up' | 'down';

/**
 * Health for people and for orchestrators. All public (they tell nothing but up or down):
 * `/health` (database) keeps its original contract; `/health/live` is the process alone (restart me
 * when it fails); `/health/ready` is the database and the schema being up to date (send me traffic).
 * From the moment shutdown starts, `/health` and `/health/ready` answer 503
 * `{ status: 'error', checks: { shutdown: 'down' } }` without asking anything (see Readiness), while
 * `/health/live` keeps answering 200 until the process exits.
 */
@ApiTags('service')
@Controller('health')
@Public()
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly adapterHost: HttpAdapterHost,
    private readonly readiness: Readiness,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Liveness and readiness: 503 when the database does not answer' })
  @ApiOkResponse({ schema: { example: { status: 'ok', checks: { database: 'up' } } } })
  @ApiServiceUnavailableResponse({
    schema: { example: { status: 'error', checks: { database: 'down' } } },
  })
  async health(@Res() reply: unknown): Promise<void> {
    if (this.readiness.isStopping) return this.send(reply, { shutdown: 'down' });
    const database = await this.databaseCheck();
    this.send(reply, { database });
  }

  @Get('live')
  @ApiOperation({
    summary: 'Liveness for orchestrators: the process answers (no dependency checked)',
  })
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  live(@Res() reply: unknown): void {
    this.adapterHost.httpAdapter.setHeader(reply, 'Cache-Control', 'no-store');
    this.adapterHost.httpAdapter.reply(reply, { status: 'ok' }, HttpStatus.OK);
  }

  @Get('ready')
  @ApiOperation({
    summary:
      'Readiness for orchestrators: 503 unless the database answers and every migration is applied',
  })
  @ApiOkResponse({
    schema: { example: { status: 'ok', checks: { database: 'up', migrations: 'up' } } },
  })
  @ApiServiceUnavailableResponse({
    schema: { example: { status: 'error', checks: { database: 'down', migrations: 'down' } } },
  })
  async ready(@Res() reply: unknown): Promise<void> {
    if (this.readiness.isStopping) return this.send(reply, { shutdown: 'down' });
    const database = await this.databaseCheck();
    const migrations: Check = database === 'up' ? await this.migrationsCheck() : 'down';
    this.send(reply, { database, migrations });
  }

  private send(reply: unknown, checks: Record<string, Check>): void {
    const up = Object.values(checks).every((check) => check === 'up');
    this.adapterHost.httpAdapter.setHeader(reply, 'Cache-Control', 'no-store');
    this.adapterHost.httpAdapter.reply(
      reply,
      { status: up ? 'ok' : 'error', checks },
      up ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE,
    );
  }

  /**
   * One retry when the first attempt fails for want of a connection: after the server dropped its
   * connections (a restart, a failover), the pool can still hold sockets it has not yet noticed are
   * dead. The question is whether the database answers now, so a new connection decides.
   */
  private databaseCheck(): Promise<Check> {
    const select = () => this.dataSource.query('SELECT 1').then((): Check => 'up');
    return this.withTimeout(
      select().catch((error: unknown) => {
        if (isDatabaseUnavailable(error)) return select();
        throw error;
      }),
    );
  }

  /** Every migration this build knows is recorded as applied. */
  private migrationsCheck(): Promise<Check> {
    const known = this.dataSource.migrations.map((migration) => migration.name);
    return this.withTimeout(
      this.dataSource
        .query(`SELECT name FROM ${this.dataSource.driver.escape('migrations')}`)
        .then((rows: Array<{ name: string }>) => {
          const applied = new Set(rows.map((row) => row.name));
          return known.every((name) => name !== undefined && applied.has(name)) ? 'up' : 'down';
        }),
    );
  }

  private async withTimeout(check: Promise<Check>): Promise<Check> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<Check>((resolve) => {
      timer = setTimeout(() => resolve('down'), DATABASE_TIMEOUT_MS);
    });
    try {
      return await Promise.race([check, timeout]);
    } catch {
      return 'down';
    } finally {
      clearTimeout(timer);
    }
  }
}
