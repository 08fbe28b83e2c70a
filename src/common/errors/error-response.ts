import { HttpException } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { AppError, type ErrorCode, ERROR_STATUS } from './app-error.js';
import { isDatabaseUnavailable, UNAVAILABLE_RETRY_AFTER_SECONDS } from './connection-errors.js';
import { OAuth2Error } from './oauth2-error.js';
import { PROBLEM_CONTENT_TYPE, problemDetails } from './problem-details.js';

export interface ErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: object;
  /** True when nothing about the error was expected: log it with the request id. */
  unexpected: boolean;
}

export const NO_STORE_HEADERS = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const;
export const BEARER_CHALLENGE = 'Bearer realm="gatehouse"';

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'MALFORMED_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'TOO_MANY_REQUESTS',
  503: 'SERVICE_UNAVAILABLE',
};

/** PostgreSQL errors that can only come from a value the client sent (NUL byte, bad encoding, too long). */
const CLIENT_DATA_SQLSTATES = new Set(['22021', '22P02', '22001', '54000']);

/**
 * PostgreSQL ended the statement because of what ran beside it, not because of the request: a
 * serialization failure, a deadlock, a lock it could not take. Its transaction was rolled back, and
 * the same request sent again can succeed.
 */
const CONFLICT_SQLSTATES = new Set(['40001', '40P01', '55P03']);

/** What a client is told to wait before sending a request that met a conflict again, in seconds. */
const CONFLICT_RETRY_AFTER_SECONDS = 1;

function statusOf(error: unknown): number | undefined {
  if (error instanceof HttpException) return error.getStatus();
  if (typeof error === 'object' && error !== null) {
    const { statusCode, status } = error as { statusCode?: unknown; status?: unknown };
    const candidate = typeof statusCode === 'number' ? statusCode : status;
    if (typeof candidate === 'number' && candidate >= 400 && candidate < 600) return candidate;
  }
  return undefined;
}

function problem(code: ErrorCode, detail?: string, error?: AppError): ErrorResponse {
  const status = error?.status ?? ERROR_STATUS[code];
  const headers: Record<string, string> = { 'Content-Type': PROBLEM_CONTENT_TYPE };
  if (status === 401) {
    headers['WWW-Authenticate'] =
      code === 'INVALID_TOKEN' ? `${BEARER_CHALLENGE}, error="invalid_token"` : BEARER_CHALLENGE;
  }
  Object.assign(headers, error?.options.headers);
  const body = problemDetails(
    status,
    code,
    detail ?? new AppError(code).message,
    error?.options.errors,
  );
  return { status, headers, body, unexpected: code === 'INTERNAL_ERROR' };
}

/** 503 with `Retry-After`: nothing is wrong with the request, and it can be sent again then. */
function retryLater(seconds: number, unexpected: boolean): ErrorResponse {
  const error = new AppError('SERVICE_UNAVAILABLE', undefined, {
    headers: { 'Retry-After': String(seconds) },
  });
  return { ...problem('SERVICE_UNAVAILABLE', undefined, error), unexpected };
}

/** Turns anything thrown into what the client sees. Never exposes a stack, SQL or internal message. */
export function toErrorResponse(error: unknown): ErrorResponse {
  if (error instanceof AppError) return problem(error.code, error.message, error);
  if (error instanceof OAuth2Error) {
    return {
      status: error.status,
      headers: {
        'Content-Type': 'application/json',
        ...NO_STORE_HEADERS,
        // RFC 6749 §5.2: a failed client authentication names the scheme to use.
        ...(error.error === 'invalid_client'
          ? { 'WWW-Authenticate': 'Basic realm="gatehouse"' }
          : {}),
      },
      body: { error: error.error, error_description: error.description, ...error.extra },
      unexpected: false,
    };
  }
  if (isDatabaseUnavailable(error)) {
    // Not the request's fault and not a bug: the database is down, restarting or out of connections.
    return retryLater(UNAVAILABLE_RETRY_AFTER_SECONDS, false);
  }
  if (error instanceof QueryFailedError) {
    const sqlState = (error.driverError as { code?: string } | undefined)?.code;
    if (sqlState && CLIENT_DATA_SQLSTATES.has(sqlState)) {
      return problem('VALIDATION_FAILED', 'A value in the request cannot be stored.');
    }
    if (sqlState && CONFLICT_SQLSTATES.has(sqlState)) {
      // The client retries; the operator still hears of it, since a deadlock is a bug of ours.
      return retryLater(CONFLICT_RETRY_AFTER_SECONDS, true);
    }
    return problem('INTERNAL_ERROR');
  }
  const status = statusOf(error);
  const code = status === undefined ? undefined : CODE_BY_STATUS[status];
  if (code) return problem(code);
  if (status !== undefined && status < 500) return problem('MALFORMED_REQUEST');
  return problem('INTERNAL_ERROR');
}
