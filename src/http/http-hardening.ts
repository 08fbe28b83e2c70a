import type { IncomingMessage, ServerResponse } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Request, Response, NextFunction } from 'express';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { AppError } from '../common/errors/app-error.js';
import { toErrorResponse } from '../common/errors/error-response.js';
import type { Principal } from '../access/principal.js';
import { InFlightRequests } from './in-flight-requests.js';
import { REQUEST_ID_HEADER, requestIdOf } from './request-id.js';
import { checkRequest, inputShapeProblem, type RequestPolicyConfig } from './request-policy.js';
import { securityHeaders } from './security-headers.js';

export const PROCESS_TIME_HEADER = 'X-Process-Time';
/** The framework's own request object (Fastify wraps the raw one), where guards attach the principal. */
const FRAMEWORK_REQUEST = Symbol('gatehouse.frameworkRequest');

type RawRequest = IncomingMessage & { [FRAMEWORK_REQUEST]?: { user?: unknown } };

export interface HardeningOptions extends RequestPolicyConfig {
  logger: Logger;
}

const trackers = new WeakMap<object, InFlightRequests>();

/** The in-flight request counter of an app set up by `installHttpHardening`. */
export function inFlightRequestsOf(app: INestApplication): InFlightRequests {
  const tracker = trackers.get(app);
  if (!tracker) throw new Error('installHttpHardening was not called for this app');
  return tracker;
}

/** Path for the log: no query string (old clients put tokens there), long opaque segments masked. */
function loggablePath(url: string | undefined): string {
  const path = (url ?? '/').split('?')[0];
  return path
    .split('/')
    .map((segment) =>
      segment.length >= 32 &&
      !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(segment)
        ? '[Redacted]'
        : segment,
    )
    .join('/');
}

function userIdOf(req: RawRequest): string | undefined {
  const user = (req[FRAMEWORK_REQUEST] ?? (req as { user?: unknown })).user as
    Partial<Principal> | { id?: string } | undefined;
  if (!user) return undefined;
  if ('user' in user && user.user) return user.user.id;
  return 'id' in user ? user.id : undefined;
}

/**
 * What happens to every request first, whichever adapter: its id (echoed in `X-Request-Id`), the
 * security headers, `X-Process-Time` stamped when the headers go out, the in-flight count, and one
 * log line when the response is done.
 */
function begin(
  req: RawRequest,
  res: ServerResponse,
  logger: Logger,
  tracker: InFlightRequests,
  headers: (req: IncomingMessage, res: ServerResponse, next: () => void) => void,
): void {
  const started = process.hrtime.bigint();
  const id = requestIdOf(req);
  const method = req.method ?? '-';
  const path = loggablePath(req.url);
  res.setHeader(REQUEST_ID_HEADER, id);
  headers(req, res, () => undefined);
  tracker.track(res);
  const writeHead = res.writeHead;
  res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    if (!this.headersSent) {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.setHeader(PROCESS_TIME_HEADER, seconds.toFixed(6));
    }
    return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as typeof res.writeHead;
  res.once('close', () => {
    const durationMs = Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100;
    const status = res.statusCode;
    const fields = {
      reqId: id,
      method,
      path,
      status,
      durationMs,
      userId: userIdOf(req),
      ...(res.writableFinished ? {} : { aborted: true }),
    };
    const message = `${method} ${path} ${status} ${durationMs}ms`;
    if (status >= 500) logger.error(fields, message);
    else logger.info(fields, message);
  });
}

function shapeError(body: unknown, query: unknown): AppError | undefined {
  const problem = inputShapeProblem(body) ?? inputShapeProblem(query);
  return problem ? new AppError('MALFORMED_REQUEST', `The request ${problem}.`) : undefined;
}

/**
 * Installs the HTTP defaults on a freshly created app, before body parsers and routes, so they hold
 * on every response (errors and 404s included) and behave the same on Fastify and Express.
 */
export function installHttpHardening(
  app: INestApplication,
  adapter: 'fastify' | 'express',
  options: HardeningOptions,
): void {
  const tracker = new InFlightRequests();
  trackers.set(app, tracker);
  const headers = securityHeaders({ forceHttps: options.forceHttps });
  const { logger } = options;

  if (adapter === 'fastify') {
    const fastify = (app as NestFastifyApplication).getHttpAdapter().getInstance();
    const send = (reply: FastifyReply, error: AppError) => {
      const response = toErrorResponse(error);
      void reply
        .code(response.status)
        .headers(response.headers)
        .send(JSON.stringify(response.body));
    };
    fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done) => {
      const raw = request.raw as RawRequest;
      raw[FRAMEWORK_REQUEST] = request as { user?: unknown };
      begin(raw, reply.raw, logger, tracker, headers);
      const outcome = checkRequest(raw, request.protocol, options);
      void reply.headers(outcome.headers);
      if (outcome.reject) return send(reply, outcome.reject);
      if (outcome.redirect) return void reply.code(307).header('Location', outcome.redirect).send();
      if (outcome.preflight) return void reply.code(204).send();
      done();
    });
    fastify.addHook('preValidation', (request: FastifyRequest, reply: FastifyReply, done) => {
      const error = shapeError(request.body, request.query);
      if (error) return send(reply, error);
      done();
    });
    return;
  }

  const express = app as NestExpressApplication;
  const send = (res: Response, error: AppError) => {
    const response = toErrorResponse(error);
    res.status(response.status).set(response.headers).send(JSON.stringify(response.body));
  };
  express.use((req: Request, res: Response, next: NextFunction) => {
    begin(req, res, logger, tracker, headers);
    const outcome = checkRequest(req, req.protocol, options);
    res.set(outcome.headers);
    if (outcome.reject) return send(res, outcome.reject);
    if (outcome.redirect) return void res.status(307).set('Location', outcome.redirect).end();
    if (outcome.preflight) return void res.status(204).end();
    next();
  });
}

/** Express only: the body-shape check, registered after the body parsers. */
export function installExpressInputShapeCheck(app: INestApplication): void {
  (app as NestExpressApplication).use((req: Request, res: Response, next: NextFunction) => {
    const error = shapeError(req.body, req.query);
    if (!error) return next();
    const response = toErrorResponse(error);
    res.status(response.status).set(response.headers).send(JSON.stringify(response.body));
  });
}
