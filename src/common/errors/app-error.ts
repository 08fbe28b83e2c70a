import { HttpStatus } from '@nestjs/common';

/** Stable machine codes for every error a client can see outside the OAuth2 token endpoints. */
export type ErrorCode =
  | 'VALIDATION_FAILED'
  | 'MALFORMED_REQUEST'
  | 'CREDENTIALS_IN_URL'
  | 'UNTRUSTED_HOST'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'UNAUTHENTICATED'
  | 'INVALID_CREDENTIALS'
  | 'INVALID_TOKEN'
  | 'INVALID_REFRESH_TOKEN'
  | 'INVALID_API_KEY'
  | 'CONFLICTING_CREDENTIALS'
  | 'FORBIDDEN'
  | 'INSUFFICIENT_SCOPE'
  | 'RECENT_AUTHENTICATION_REQUIRED'
  | 'API_KEY_LIMIT_REACHED'
  | 'USER_EXISTS'
  | 'LAST_ADMIN'
  | 'KEYS_NOT_ROTATABLE'
  | 'INVALID_TWO_FACTOR_CODE'
  | 'INVALID_MFA_TOKEN'
  | 'TWO_FACTOR_ALREADY_ENABLED'
  | 'TWO_FACTOR_NOT_ENABLED'
  | 'TWO_FACTOR_SETUP_REQUIRED'
  | 'TWO_FACTOR_ENROLLMENT_REQUIRED'
  | 'TOO_MANY_REQUESTS'
  | 'REQUEST_HEADERS_TOO_LARGE'
  | 'REQUEST_TIMEOUT'
  | 'SERVICE_UNAVAILABLE'
  | 'INTERNAL_ERROR';

export const ERROR_STATUS = {
  VALIDATION_FAILED: HttpStatus.BAD_REQUEST,
  MALFORMED_REQUEST: HttpStatus.BAD_REQUEST,
  CREDENTIALS_IN_URL: HttpStatus.BAD_REQUEST,
  UNTRUSTED_HOST: HttpStatus.BAD_REQUEST,
  PAYLOAD_TOO_LARGE: HttpStatus.PAYLOAD_TOO_LARGE,
  UNSUPPORTED_MEDIA_TYPE: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  NOT_FOUND: HttpStatus.NOT_FOUND,
  METHOD_NOT_ALLOWED: HttpStatus.METHOD_NOT_ALLOWED,
  UNAUTHENTICATED: HttpStatus.UNAUTHORIZED,
  INVALID_CREDENTIALS: HttpStatus.BAD_REQUEST,
  INVALID_TOKEN: HttpStatus.UNAUTHORIZED,
  INVALID_REFRESH_TOKEN: HttpStatus.UNAUTHORIZED,
  INVALID_API_KEY: HttpStatus.UNAUTHORIZED,
  CONFLICTING_CREDENTIALS: HttpStatus.BAD_REQUEST,
  FORBIDDEN: HttpStatus.FORBIDDEN,
  INSUFFICIENT_SCOPE: HttpStatus.FORBIDDEN,
  RECENT_AUTHENTICATION_REQUIRED: HttpStatus.UNAUTHORIZED,
  API_KEY_LIMIT_REACHED: HttpStatus.CONFLICT,
  USER_EXISTS: HttpStatus.CONFLICT,
  LAST_ADMIN: HttpStatus.CONFLICT,
  KEYS_NOT_ROTATABLE: HttpStatus.CONFLICT,
  INVALID_TWO_FACTOR_CODE: HttpStatus.BAD_REQUEST,
  INVALID_MFA_TOKEN: HttpStatus.UNAUTHORIZED,
  TWO_FACTOR_ALREADY_ENABLED: HttpStatus.CONFLICT,
  TWO_FACTOR_NOT_ENABLED: HttpStatus.CONFLICT,
  TWO_FACTOR_SETUP_REQUIRED: HttpStatus.CONFLICT,
  TWO_FACTOR_ENROLLMENT_REQUIRED: HttpStatus.FORBIDDEN,
  TOO_MANY_REQUESTS: HttpStatus.TOO_MANY_REQUESTS,
  // 431 Request Header Fields Too Large (RFC 6585), missing from Nest's enum.
  REQUEST_HEADERS_TOO_LARGE: 431 as HttpStatus,
  REQUEST_TIMEOUT: HttpStatus.REQUEST_TIMEOUT,
  SERVICE_UNAVAILABLE: HttpStatus.SERVICE_UNAVAILABLE,
  INTERNAL_ERROR: HttpStatus.INTERNAL_SERVER_ERROR,
} as const satisfies Record<ErrorCode, HttpStatus>;

/** What a client reads when the thrower gives no sentence of its own. */
const DEFAULT_DETAIL = {
  VALIDATION_FAILED: 'The request is invalid.',
  MALFORMED_REQUEST: 'The request body could not be parsed.',
  CREDENTIALS_IN_URL: 'Credentials do not belong in a URL; send them in the body or a header.',
  UNTRUSTED_HOST: 'The Host header names a host this service does not serve.',
  PAYLOAD_TOO_LARGE: 'The request body is too large.',
  UNSUPPORTED_MEDIA_TYPE: 'This content type is not accepted here.',
  NOT_FOUND: 'Not found.',
  METHOD_NOT_ALLOWED: 'This method is not allowed here.',
  UNAUTHENTICATED: 'Authentication is required.',
  INVALID_CREDENTIALS: 'The credentials are not correct.',
  INVALID_TOKEN: 'The access token is invalid or expired.',
  INVALID_REFRESH_TOKEN: 'The refresh token is invalid, expired or already used.',
  INVALID_API_KEY: 'The API key is invalid, expired or revoked.',
  CONFLICTING_CREDENTIALS: 'Send either a bearer token or an API key, not both.',
  FORBIDDEN: 'You are not allowed to do this.',
  INSUFFICIENT_SCOPE: 'The token does not carry the scope this needs.',
  RECENT_AUTHENTICATION_REQUIRED:
    'This operation needs a recent login: sign in again with your password, then retry.',
  API_KEY_LIMIT_REACHED: 'You have as many API keys as allowed; revoke one first.',
  USER_EXISTS: 'A user with this email or username already exists.',
  LAST_ADMIN: 'The last active admin cannot be demoted, disabled or deleted.',
  KEYS_NOT_ROTATABLE:
    'ALGORITHM is an HS one: rotate SECRET_KEY, keeping the old value in PREVIOUS_SECRET_KEYS.',
  INVALID_TWO_FACTOR_CODE: 'The two-factor code is not correct.',
  INVALID_MFA_TOKEN: 'The mfa_token is invalid, expired or already used; sign in again.',
  TWO_FACTOR_ALREADY_ENABLED: 'Two-factor authentication is already on; turn it off first.',
  TWO_FACTOR_NOT_ENABLED: 'Two-factor authentication is not on.',
  TWO_FACTOR_SETUP_REQUIRED: 'Start with POST /auth/2fa/setup.',
  TWO_FACTOR_ENROLLMENT_REQUIRED:
    'Your role requires two-factor authentication: enrol through /auth/2fa/setup first.',
  TOO_MANY_REQUESTS: 'Too many requests; try again later.',
  REQUEST_HEADERS_TOO_LARGE: 'The request headers are too large.',
  REQUEST_TIMEOUT: 'The request took too long to arrive.',
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
    readonly options: {
      errors?: FieldError[];
      headers?: Record<string, string>;
      /** Where the contract gives one code two statuses (INVALID_TOKEN: 401 for bearer tokens, 400 for mailed links). */
      status?: HttpStatus;
    } = {},
  ) {
    super(detail ?? DEFAULT_DETAIL[code]);
    this.name = 'AppError';
    this.status = options.status ?? ERROR_STATUS[code];
  }
}
