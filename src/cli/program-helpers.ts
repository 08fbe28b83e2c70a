import { type Command, InvalidArgumentError } from 'commander';
import { Output } from './output.js';

/** A command that does something: it takes `--json`. */
export function leaf(command: Command): Command {
  return command.option('--json', 'print the result as JSON (stdout holds nothing else)');
}

export function outputOf(command: Command): Output {
  return new Output(Boolean(command.optsWithGlobals<{ json?: boolean }>().json));
}

/** A whole number option from `min` to `max` (`--limit 20`); anything else is a usage error (exit 2). */
export function wholeNumber(min: number, max: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max)
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    return Number(value);
  };
}

/** The time `days` whole days before now: the cutoff of the `--older-than-days <n>` options. */
export function daysAgo(days: number): Date {
  return new Date(Date.now() - days * 24 * 60 * 60 * 1000);
}

/** A whole number from 1 to `max`. */
export const positiveInt = (max: number) => wholeNumber(1, max);

/** One value out of a fixed list; anything else is a usage error (exit 2). */
export function oneOf<T extends string>(values: readonly T[]) {
  return (value: string): T => {
    if (!values.includes(value as T))
      throw new InvalidArgumentError(`expected one of ${values.join(', ')}`);
    return value as T;
  };
}
