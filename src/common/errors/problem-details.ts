import { STATUS_CODES } from 'node:http';
import type { ErrorCode, FieldError } from './app-error.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  errors?: FieldError[];
}

/** RFC 9457 body. `type` is a URN per code: stable, and it does not pretend to be a resolvable page. */
export function problemDetails(
  status: number,
  code: ErrorCode,
  detail: string,
  errors?: FieldError[],
): ProblemDetails {
  return {
    type: `urn:gatehouse:problem:${code.toLowerCase().replace(/_/g, '-')}`,
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    code,
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
}
