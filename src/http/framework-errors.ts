import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../common/errors/app-error.js';
import { toErrorResponse } from '../common/errors/error-response.js';

/*
 * Answers the HTTP layer gives before any route, filter or hook of ours runs. Without these, fastify
 * and node answer with their own JSON (`{"statusCode":414,"message":"'/items/xxxx...' is exceeding
 * ..."}`, echoing the path) or a bare status line. Every answer of the service is problem details.
 */

/** Fastify's router refused the URL: a path parameter that is not valid percent-encoding, or too long. */
export function frameworkErrorOf(error: { code?: string }): AppError {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    // Every path parameter is an id or a name well under fastify's 100 characters: nothing by that name.
    return new AppError('NOT_FOUND');
  }
  if (error.code === 'FST_ERR_BAD_URL') {
    return new AppError('MALFORMED_REQUEST', 'The URL path is not valid percent-encoding.');
  }
  return new AppError('MALFORMED_REQUEST', 'The request could not be routed.');
}

/** fastify's `frameworkErrors` option. */
export function fastifyFrameworkErrors(
  error: { code?: string },
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  const response = toErrorResponse(frameworkErrorOf(error));
  void reply.code(response.status).headers(response.headers).send(JSON.stringify(response.body));
}

/** What node's parser could not read, as problem details (never echoing any of the request). */
function clientErrorOf(code: string | undefined): AppError {
  if (code === 'HPE_HEADER_OVERFLOW') return new AppError('REQUEST_HEADERS_TOO_LARGE');
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return new AppError('REQUEST_TIMEOUT');
  return new AppError('MALFORMED_REQUEST', 'The request is not valid HTTP.');
}

/**
 * The server's `clientError` listener, for both adapters (fastify's `clientErrorHandler` option; a
 * listener on express's server): one status line, one Content-Type, a problem body, then the
 * connection closes (node cannot read further requests on it).
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) {
    const response = toErrorResponse(clientErrorOf(error.code));
    const body = JSON.stringify(response.body);
    const headers = {
      ...response.headers,
      'Content-Length': String(Buffer.byteLength(body)),
      Connection: 'close',
    };
    socket.write(
      `HTTP/1.1 ${response.status} ${STATUS_CODES[response.status]}\r\n${Object.entries(headers)
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join('')}\r\n${body}`,
    );
  }
  socket.destroy();
}
