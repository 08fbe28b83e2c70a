import { Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { databaseConfig, type DatabaseConfig } from '../config/database.config.js';
import { DatabaseEvents } from './database-events.js';
import { dataSourceOptions } from './data-source.js';

@Global()
@Module({
  imports: [
    ConfigModule.forFeature(databaseConfig),
    TypeOrmModule.forRootAsync({
      imports: [ConfigModule.forFeature(databaseConfig)],
      inject: [databaseConfig.KEY],
      useFactory: (config: DatabaseConfig) => ({
        ...dataSourceOptions(config.url, config.logging, {
          size: config.poolSize,
          connectTimeoutMs: config.connectTimeoutMs,
        }),
        migrationsRun: config.migrationsRun,
        migrationsTransactionMode: 'each' as const,
        retryAttempts: 3,
        retryDelay: 1000,
      }),
    }),
  ],
  providers: [DatabaseEvents],
  exports: [DatabaseEvents],
})
export class DatabaseModule {}
