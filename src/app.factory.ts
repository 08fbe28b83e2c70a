import type { IncomingMessage, Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DestinationStream, Logger } from 'pino';
import { AppModule } from './app.module.js';
import { parseAppConfig } from './config/app.config.js';
import { installHttpMetrics } from './metrics/http-metrics.js';
import { type HttpAdapterName, parseHttpConfig } from './config/http.config.js';
import { answerClientError, fastifyFrameworkErrors } from './http/framework-errors.js';
import { lazySchemaCompilers } from './http/lazy-schema-compilers.js';
import { installExpressInputShapeCheck, installHttpHardening } from './http/http-hardening.js';
import { createLogger, PinoNestLogger } from './http/logging.js';
import { requestIdOf } from './http/request-id.js';
import { setUpSwagger } from './swagger.js';

export { HTTP_ADAPTERS, type HttpAdapterName } from './config/http.config.js';

/** JSON and form bodies above this are refused with 413 before any parsing. */
export const BODY_LIMIT_BYTES = 100 * 1024;

export interface CreateAppOptions {
  adapter?: HttpAdapterName;
  /** `false`: no log output at all (the tests' default). */
  logger?: false;
  /** JSON log lines go here instead of stdout (the log-capture test reads them). */
  logDestination?: DestinationStream;
}

const loggers = new WeakMap<INestApplication, Logger>();

/** The pino logger an app writes its request and application logs to. */
export function loggerOf(app: INestApplication): Logger {
  const logger = loggers.get(app);
  if (!logger) throw new Error('not an app made by createApp');
  return logger;
}

/**
 * Express (and its body parsers) loaded only when chosen: the default fastify process never holds them.
 */
async function expressAdapter() {
  const { ExpressAdapter } = await import('@nestjs/platform-express');
  return new ExpressAdapter();
}

/**
 * Builds the whole application exactly as production runs it. main.ts, the e2e tests and the benchmark
 * all come through here, so tests exercise the real pipes, filters, guards, headers and documents.
 */
export async function createApp(options: CreateAppOptions = {}): Promise<INestApplication> {
  const { trustProxy, corsOrigins, trustedHosts } = parseAppConfig(process.env);
  const http = parseHttpConfig(process.env);
  const logger = createLogger({
    format: options.logDestination ? 'json' : http.logFormat,
    level: options.logger === false ? 'silent' : http.logLevel,
    destination: options.logDestination,
  });
  const nestLogger = new PinoNestLogger(logger);
  const app =
    options.adapter === 'express'
      ? await NestFactory.create<NestExpressApplication>(AppModule, await expressAdapter(), {
          logger: nestLogger,
          abortOnError: false,
          bodyParser: false,
        })
      : await NestFactory.create<NestFastifyApplication>(
          AppModule,
          new FastifyAdapter({
            bodyLimit: BODY_LIMIT_BYTES,
            // Fastify's request.id is the same id the logs and the X-Request-Id header carry.
            genReqId: (req: { headers: IncomingMessage['headers'] }) =>
              requestIdOf(req as IncomingMessage),
            // Router and parser refusals answer problem details like everything else.
            frameworkErrors: fastifyFrameworkErrors,
            clientErrorHandler: answerClientError,
            // A hop count becomes "trust the nearest N hops" (Fastify's types take no number).
            trustProxy:
              typeof trustProxy === 'number'
                ? (_address: string, hop: number) => hop < trustProxy
                : trustProxy,
            schemaController: { compilersFactory: lazySchemaCompilers() },
          }),
          { logger: nestLogger, abortOnError: false },
        );
  loggers.set(app, logger);
  const adapter = options.adapter === 'express' ? 'express' : 'fastify';
  installHttpHardening(app, adapter, {
    logger,
    corsOrigins,
    trustedHosts,
    forceHttps: http.forceHttps,
  });
  if (adapter === 'express') {
    const express = app as NestExpressApplication;
    express.disable('x-powered-by');
    express.set('trust proxy', trustProxy);
    express.useBodyParser('json', { limit: BODY_LIMIT_BYTES });
    express.useBodyParser('urlencoded', { limit: BODY_LIMIT_BYTES, extended: false });
    installExpressInputShapeCheck(app);
    const server = express.getHttpServer() as Server;
    server.removeAllListeners('clientError');
    server.on('clientError', answerClientError);
  }
  installHttpMetrics(app, options.adapter === 'express' ? 'express' : 'fastify');
  setUpSwagger(app);
  return app;
}
