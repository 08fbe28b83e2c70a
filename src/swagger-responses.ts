import type { OpenAPIObject, OperationObject, ResponseObject, SchemaObject } from '@nestjs/swagger';
import { ERROR_STATUS } from './common/errors/app-error.js';
import { PROBLEM_CONTENT_TYPE } from './common/errors/problem-details.js';

/** Routes that take a password grant: a user with two-factor on gets 403 `mfa_required` there. */
const PASSWORD_GRANT_PATHS = new Set(['/auth/token', '/auth/login']);

const PROBLEM_DETAILS = 'ProblemDetails';
const MFA_REQUIRED = 'MfaRequired';
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const SCHEMAS: Record<string, SchemaObject> = {
  [PROBLEM_DETAILS]: {
    type: 'object',
    description: 'RFC 9457 problem details; `code` is the stable machine code',
    required: ['type', 'title', 'status', 'detail', 'code'],
    properties: {
      type: { type: 'string', example: 'urn:gatehouse:problem:not-found' },
      title: { type: 'string', example: 'Not Found' },
      status: { type: 'integer', example: 404 },
      detail: { type: 'string', example: 'Not found.' },
      code: { type: 'string', enum: Object.keys(ERROR_STATUS), example: 'NOT_FOUND' },
      errors: {
        type: 'array',
        description: 'The fields a 400 names',
        items: {
          type: 'object',
          required: ['field', 'message'],
          properties: { field: { type: 'string' }, message: { type: 'string' } },
        },
      },
    },
  },
  [MFA_REQUIRED]: {
    type: 'object',
    description:
      'The password was right and two-factor is on: POST /auth/2fa/verify with this mfa_token',
    required: ['error', 'error_description', 'mfa_token'],
    properties: {
      error: { type: 'string', enum: ['mfa_required'] },
      error_description: { type: 'string' },
      mfa_token: { type: 'string' },
    },
  },
};

const PROBLEM_CONTENT = { [PROBLEM_CONTENT_TYPE]: { schema: ref(PROBLEM_DETAILS) } };

function isErrorStatus(status: string): boolean {
  return /^[45]\d\d$/.test(status);
}

/**
 * Completes every operation's error responses from what the app really answers, in one place, so a
 * controller cannot forget: each 4xx/5xx carries a body schema (problem details; RFC 6749 errors on the
 * token routes, which declare theirs), 429 with `Retry-After` where a rate limit applies, and 403
 * `mfa_required` on the password-grant routes.
 */
export function documentErrorResponses(
  document: OpenAPIObject,
  isThrottled: (operation: OperationObject) => boolean,
): void {
  document.components ??= {};
  document.components.schemas = { ...document.components.schemas, ...SCHEMAS };
  for (const [path, item] of Object.entries(document.paths)) {
    for (const operation of Object.values(item) as OperationObject[]) {
      if (!operation?.responses) continue;
      const responses = operation.responses as Record<string, ResponseObject>;
      if (PASSWORD_GRANT_PATHS.has(path)) {
        responses['403'] = {
          description: 'Two-factor is on: the second step is needed (RFC 6749 style error)',
          content: { 'application/json': { schema: ref(MFA_REQUIRED) } },
        };
      }
      if (isThrottled(operation)) {
        responses['429'] ??= {
          description: 'A rate limit was reached; try again after Retry-After seconds',
          headers: {
            'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } },
          },
        };
      }
      for (const [status, response] of Object.entries(responses)) {
        // The token routes declare their RFC 6749 bodies; what no route declares is problem details.
        if (isErrorStatus(status) && !response.content) response.content = PROBLEM_CONTENT;
      }
    }
  }
}
