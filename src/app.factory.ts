import type { INestApplication, LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module.js';
import { parseAppConfig } from './config/app.config.js';
import { installHttpMetrics } from './metrics/http-metrics.js';
import { setUpSwagger } from './swagger.js';

export const HTTP_ADAPTERS = ['fastify', 'express'] as const;
export type HttpAdapterName = (typeof HTTP_ADAPTERS)[number];

/** JSON and form bodies above this are refused with 413 before any parsing. */
export const BODY_LIMIT_BYTES = 100 * 1024;

export interface CreateAppOptions {
  adapter?: HttpAdapterName;
  logger?: LoggerService | LogLevel[] | false;
}

/**
 * Builds the whole application exactly as production runs it. main.ts, the e2e tests and the benchmark
 * all come through here, so tests exercise the real pipes, filters, guards and documents.
 */
export async function createApp(options: CreateAppOptions = {}): Promise<INestApplication> {
  const { trustProxy } = parseAppConfig(process.env);
  const app =
    options.adapter === 'express'
      ? await NestFactory.create<NestExpressApplication>(AppModule, new ExpressAdapter(), {
          logger: options.logger,
          abortOnError: false,
          bodyParser: false,
        })
      : await NestFactory.create<NestFastifyApplication>(
          AppModule,
          new FastifyAdapter({
            bodyLimit: BODY_LIMIT_BYTES,
            // A hop count becomes "trust the nearest N hops" (Fastify's types take no number).
            trustProxy:
              typeof trustProxy === 'number'
                ? (_address: string, hop: number) => hop < trustProxy
                : trustProxy,
          }),
          { logger: options.logger, abortOnError: false },
        );
  if (options.adapter === 'express') {
    const express = app as NestExpressApplication;
    express.disable('x-powered-by');
    express.set('trust proxy', trustProxy);
    express.useBodyParser('json', { limit: BODY_LIMIT_BYTES });
    express.useBodyParser('urlencoded', { limit: BODY_LIMIT_BYTES, extended: false });
  }
  installHttpMetrics(app, options.adapter === 'express' ? 'express' : 'fastify');
  setUpSwagger(app);
  return app;
}
