import {
  type ArgumentMetadata,
  Body as NestBody,
  Injectable,
  Param as NestParam,
  type PipeTransform,
  Query as NestQuery,
  type Type,
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

/** One set of options: the API's pipe (both adapters, tests included) and the CLI's checks. */
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
 * The pipe every body, query and path parameter goes through: class-validator rules, plus a refusal
 * of NUL characters and of `__proto__`, `constructor` and `prototype` keys anywhere in the input,
 * whichever HTTP adapter parsed it.
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

/** The one instance the decorators below bind (it holds no per-request state). */
export const validationPipe = new AppValidationPipe();

type ParamPipe = PipeTransform | Type<PipeTransform>;

/** The two call forms of Nest's `@Body()`, `@Query()` and `@Param()` that controllers use. */
interface NestInputDecorator {
  (...pipes: ParamPipe[]): ParameterDecorator;
  (property: string, ...pipes: ParamPipe[]): ParameterDecorator;
}

function withValidation(decorator: NestInputDecorator) {
  return (property?: string, ...pipes: ParamPipe[]): ParameterDecorator =>
    property === undefined
      ? decorator(validationPipe, ...pipes)
      : decorator(property, validationPipe, ...pipes);
}

/*
 * Nest's `@Body()`, `@Query()` and `@Param()` with the validation pipe bound first, ahead of any
 * pipe of the route's own. Controllers import these instead of Nest's (the lint rule
 * `no-restricted-imports` says so, and `validation.spec.ts` fails if any route of the app takes a
 * body, query or path parameter without the pipe, or carries a class or method pipe, which would
 * run before it).
 *
 * Why not a global pipe: Nest runs a global pipe on every parameter a pipe may change, custom
 * decorators included, so `@CurrentPrincipal()` and `@Client()`, which the pipe leaves as they are,
 * went through six async frames and a Promise.all on every request (about 3 KB allocated and a few
 * µs of CPU on an authenticated GET, docs/performance.md). With no pipe bound to them, Nest hands
 * their value over as it is.
 */
export const Body = withValidation(NestBody);
export const Query = withValidation(NestQuery);
export const Param = withValidation(NestParam);
