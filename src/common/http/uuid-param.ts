import { ParseUUIDPipe } from '@nestjs/common';
import { AppError } from '../errors/app-error.js';

/** A path id that is not a UUID names nothing: the same 404 as an unknown id. */
export const uuidParam = (what: string) =>
  new ParseUUIDPipe({ exceptionFactory: () => new AppError('NOT_FOUND', `No such ${what}.`) });
