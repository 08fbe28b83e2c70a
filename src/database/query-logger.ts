import { Logger } from '@nestjs/common';
import type { Logger as TypeOrmLogger } from 'typeorm';

/**
 * TypeORM's own loggers print query parameters, which here include password hashes and token hashes.
 * This one prints the SQL text only. Failed queries are not logged here at all: the error filter logs
 * the unexpected ones with their request, and the expected ones (a unique violation) are not news.
 */
export class QueryLogger implements TypeOrmLogger {
  private readonly logger = new Logger('Database');

  constructor(private readonly logQueries: boolean) {}

  logQuery(query: string): void {
    if (this.logQueries) this.logger.debug(query);
  }
  logQueryError(): void {}
  logQuerySlow(time: number, query: string): void {
    this.logger.warn(`slow query (${time} ms): ${query}`);
  }
  logSchemaBuild(message: string): void {
    if (this.logQueries) this.logger.debug(message);
  }
  logMigration(message: string): void {
    this.logger.log(message);
  }
  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
  }
}
