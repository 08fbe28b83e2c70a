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

function findNulByte(value: unknown, path: string, depth = 0): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (depth > 32 || typeof value !== 'object' || value === null) return undefined;
  for (const [key, child] of Object.entries(value)) {
    const found = findNulByte(child, path ? `${path}.${key}` : key, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * The global pipe: class-validator rules, plus a refusal of NUL characters anywhere in the input
 * (PostgreSQL text cannot hold them, and no legitimate field needs one).
 */
@Injectable()
export class AppValidationPipe extends ValidationPipe {
  constructor() {
    super(VALIDATION_OPTIONS);
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' || metadata.type === 'query' || metadata.type === 'param') {
      const field = findNulByte(value, metadata.type === 'body' ? '' : (metadata.data ?? ''));
      if (field !== undefined) {
        throw new AppError('VALIDATION_FAILED', 'The request is invalid.', {
          errors: [{ field: field || metadata.type, message: 'must not contain NUL characters' }],
        });
      }
    }
    return super.transform(value, metadata);
  }
}
