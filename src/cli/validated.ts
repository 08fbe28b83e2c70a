import { validationPipe } from '../common/validation.js';

/**
 * Validates command-line input like the API's pipe validates a body: the same DTO rules, the same
 * field messages (a failure is the AppError the API would answer 400 with, printed as one line).
 */
export async function validated<T extends object>(
  metatype: new () => T,
  value: object,
): Promise<T> {
  return (await validationPipe.transform(value, { type: 'body', metatype })) as T;
}
