import { HttpStatus } from '@nestjs/common';

/** Stable machine codes for every error a client can see outside the OAuth2 token endpoints. */
export type ErrorCode =
  | 'VALIDATION_FAILED'
  | 'MALFORMED_REQUEST'
  | 'UNTRUSTED_HOST'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'UNAUTHENTICATED'
  | 'INVALID_CREDENTIALS'
  | 'INVALID_TOKEN'
  | 'INVALID_REFRESH_TOKEN'
  | 'FORBIDDEN'
  | 'INSUFFICIENT_SCOPE'
  | 'USER_EXISTS'
  | 'LAST_ADMIN'
  | 'TOO_MANY_REQUESTS'
  | 'SERVICE_UNAVAILABLE'
  | 'INTERNAL_ERROR';

export const ERROR_STATUS = {
  VALIDATION_FAILED: HttpStatus.BAD_REQUEST,
  MALFORMED_REQUEST: HttpStatus.BAD_REQUEST,
  UNTRUSTED_HOST: HttpStatus.BAD_REQUEST,
  PAYLOAD_TOO_LARGE: HttpStatus.PAYLOAD_TOO_LARGE,
  UNSUPPORTED_MEDIA_TYPE: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  NOT_FOUND: HttpStatus.NOT_FOUND,
  METHOD_NOT_ALLOWED: HttpStatus.METHOD_NOT_ALLOWED,
  UNAUTHENTICATED: HttpStatus.UNAUTHORIZED,
  INVALID_CREDENTIALS: HttpStatus.BAD_REQUEST,
  INVALID_TOKEN: HttpStatus.UNAUTHORIZED,
  INVALID_REFRESH_TOKEN: HttpStatus.UNAUTHORIZED,
  FORBIDDEN: HttpStatus.FORBIDDEN,
  INSUFFICIENT_SCOPE: HttpStatus.FORBIDDEN,
  USER_EXISTS: HttpStatus.CONFLICT,
  LAST_ADMIN: HttpStatus.CONFLICT,
  TOO_MANY_REQUESTS: HttpStatus.TOO_MANY_REQUESTS,
  SERVICE_UNAVAILABLE: HttpStatus.SERVICE_UNAVAILABLE,
  INTERNAL_ERROR: HttpStatus.INTERNAL_SERVER_ERROR,
} as const satisfies Record<ErrorCode, HttpStatus>;

/** What a client reads when the thrower gives no sentence of its own. */
const DEFAULT_DETAIL = {
  VALIDATION_FAILED: 'The request is invalid.',
  MALFORMED_REQUEST: 'The request body could not be parsed.',
  UNTRUSTED_HOST: 'The Host header names a host this service does not serve.',
  PAYLOAD_TOO_LARGE: 'The request body is too large.',
  UNSUPPORTED_MEDIA_TYPE: 'This content type is not accepted here.',
  NOT_FOUND: 'Not found.',
  METHOD_NOT_ALLOWED: 'This method is not allowed here.',
  UNAUTHENTICATED: 'Authentication is required.',
  INVALID_CREDENTIALS: 'The credentials are not correct.',
  INVALID_TOKEN: 'The access token is invalid or expired.',
  INVALID_REFRESH_TOKEN: 'The refresh token is invalid, expired or already used.',
  FORBIDDEN: 'You are not allowed to do this.',
  INSUFFICIENT_SCOPE: 'The token does not carry the scope this needs.',
  USER_EXISTS: 'A user with this email or username already exists.',
  LAST_ADMIN: 'The last active admin cannot be demoted, disabled or deleted.',
  TOO_MANY_REQUESTS: 'Too many requests; try again later.',
  SERVICE_UNAVAILABLE: 'The service is temporarily unavailable.',
  INTERNAL_ERROR: 'An unexpected error occurred.',
} as const satisfies Record<ErrorCode, string>;

export interface FieldError {
  field: string;
  message: string;
}

export class AppError extends Error {
  readonly status: HttpStatus;

  constructor(
    readonly code: ErrorCode,
    detail?: string,
    readonly options: { errors?: FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(detail ?? DEFAULT_DETAIL[code]);
    this.name = 'AppError';
    this.status = ERROR_STATUS[code];
  }
}
