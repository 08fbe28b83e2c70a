import {
  type ArgumentMetadata,
  Injectable,
  ValidationPipe,
  type ValidationError,
  type ValidationPipeOptions,
} from '@nestjs/common';
import { AppError, type FieldError } from './errors/app-error.js';

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** One set of options, used by main.ts and by the test app alike. */
export const VALIDATION_OPTIONS: ValidationPipeOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  transform: true,
  validationError: { target: false, value: false },
  exceptionFactory: (errors) =>
    new AppError('VALIDATION_FAILED', 'The request body is invalid.', { errors: flatten(errors) }),
};

const POLLUTING_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

interface InputProblem {
  field: string;
  message: string;
}

/** NUL characters (PostgreSQL text cannot hold them) and prototype-polluting keys, at any depth. */
function findInputProblem(value: unknown, path: string, depth = 0): InputProblem | undefined {
  if (typeof value === 'string') {
    return value.includes('\u0000')
      ? { field: path, message: 'must not contain NUL characters' }
      : undefined;
  }
  if (depth > 32 || typeof value !== 'object' || value === null) return undefined;
  for (const key of Object.keys(value)) {
    const field = path ? `${path}.${key}` : key;
    if (POLLUTING_KEYS.has(key)) return { field, message: `property ${key} is not allowed` };
    const found = findInputProblem((value as Record<string, unknown>)[key], field, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/**
 * The global pipe: class-validator rules, plus a refusal of NUL characters and of `__proto__`,
 * `constructor` and `prototype` keys anywhere in the input, whichever HTTP adapter parsed it.
 */
@Injectable()
export class AppValidationPipe extends ValidationPipe {
  constructor() {
    super(VALIDATION_OPTIONS);
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' || metadata.type === 'query' || metadata.type === 'param') {
      const problem = findInputProblem(
        value,
        metadata.type === 'body' ? '' : (metadata.data ?? ''),
      );
      if (problem) {
        throw new AppError('VALIDATION_FAILED', 'The request is invalid.', {
          errors: [{ field: problem.field || metadata.type, message: problem.message }],
        });
      }
    }
    return super.transform(value, metadata);
  }
}
