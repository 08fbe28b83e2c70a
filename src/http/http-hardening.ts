import type { ServerResponse } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Request, Response, NextFunction } from 'express';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { AppError } from '../common/errors/app-error.js';
import { toErrorResponse } from '../common/errors/error-response.js';
import { recordProblemCode } from '../common/errors/problem-code.js';
import { InFlightRequests } from './in-flight-requests.js';
import { PROCESS_TIME_HEADER, secondsSince, stampProcessTime } from './process-time.js';
import { REQUEST_ID_HEADER, requestIdOf } from './request-id.js';
import { FRAMEWORK_REQUEST, logRequestDone, type RawRequest } from './request-log.js';
import {
  checkRequest,
  inputShapeProblem,
  NO_HEADERS,
  type RequestPolicyConfig,
} from './request-policy.js';
import { securityHeaders, setSecurityHeaders } from './security-headers.js';

export { PROCESS_TIME_HEADER } from './process-time.js';

/** When the request began (process.hrtime), for X-Process-Time and the log line. */
const STARTED = Symbol('gatehouse.started');

type StartedRequest = RawRequest & { [STARTED]?: bigint };

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

/**
 * What happens to every request first, whichever adapter: its id, the in-flight count, and one log line
 * when the response is done. The headers (X-Request-Id, the security headers, X-Process-Time) are set
 * by each adapter's own means: see installHttpHardening.
 */
function begin(
  req: StartedRequest,
  res: ServerResponse,
  logger: Logger,
  tracker: InFlightRequests,
): string {
  const started = process.hrtime.bigint();
  req[STARTED] = started;
  const id = requestIdOf(req);
  tracker.track(res);
  res.on('close', () => {
    tracker.release(res);
    logRequestDone(req, res, logger, id, started);
  });
  return id;
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
      recordProblemCode(reply.raw, error.code);
      void reply
        .code(response.status)
        .headers(response.headers)
        .send(JSON.stringify(response.body));
    };
    fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done) => {
      const raw = request.raw as StartedRequest;
      raw[FRAMEWORK_REQUEST] = request as { user?: unknown };
      const id = begin(raw, reply.raw, logger, tracker);
      // Reply headers, not res.setHeader: with none set through node's per-header API, node writes
      // Fastify's header object in one pass (writeHead's fast path), which is most of the saving.
      void reply.headers(headers.values).header(REQUEST_ID_HEADER, id);
      const outcome = checkRequest(raw, request.protocol, options);
      if (outcome.headers !== NO_HEADERS) void reply.headers(outcome.headers);
      if (outcome.reject) return send(reply, outcome.reject);
      if (outcome.redirect) return void reply.code(307).header('Location', outcome.redirect).send();
      if (outcome.preflight) return void reply.code(204).send();
      done();
    });
    // Stamped last thing before the head is written, errors and 404s included.
    fastify.addHook('onSend', (request: FastifyRequest, reply: FastifyReply, payload, done) => {
      const started = (request.raw as StartedRequest)[STARTED];
      if (started !== undefined) void reply.header(PROCESS_TIME_HEADER, secondsSince(started));
      done(null, payload);
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
    recordProblemCode(res, error.code);
    res.status(response.status).set(response.headers).send(JSON.stringify(response.body));
  };
  express.use((req: Request, res: Response, next: NextFunction) => {
    const id = begin(req, res, logger, tracker);
    setSecurityHeaders(res, headers);
    res.setHeader(REQUEST_ID_HEADER, id);
    stampProcessTime(res, (req as StartedRequest)[STARTED] as bigint);
    const outcome = checkRequest(req, req.protocol, options);
    if (outcome.headers !== NO_HEADERS) res.set(outcome.headers);
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
    recordProblemCode(res, error.code);
    res.status(response.status).set(response.headers).send(JSON.stringify(response.body));
  });
}
