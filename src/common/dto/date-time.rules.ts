import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, ValidateBy, type ValidationOptions } from 'class-validator';

/** RFC 3339 §5.6 `date-time`: full date, `T`, full time with seconds, `Z` or a numeric offset. */
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-](\d{2}):(\d{2}))$/;

/**
 * The instant an RFC 3339 date-time names, or undefined when the text is not one. Stricter than
 * ISO 8601 on purpose: week dates (`2020-W01`), ordinal dates, date-only and hour-only forms, and
 * impossible values (`2021-02-30`, `24:00`, offset `+25:00`) are all refused, so nothing that reaches a
 * query can turn into an Invalid Date there.
 */
export function parseRfc3339(value: string): Date | undefined {
  const match = RFC3339.exec(value);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, , , offsetHour, offsetMinute] =
    match.map(Number);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  if (match[9] !== undefined && (offsetHour > 23 || offsetMinute > 59)) return undefined;
  const date = new Date(value.toUpperCase());
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** A string that is an RFC 3339 date-time (see parseRfc3339). */
export function IsRfc3339(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isRfc3339',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && parseRfc3339(value) !== undefined,
        defaultMessage: (args) =>
          `${args?.property ?? 'value'} must be an RFC 3339 date-time such as 2026-01-31T12:00:00Z`,
      },
    },
    options,
  );
}

/** An optional date filter of a list query (`?from=`, `?to=`, ...): RFC 3339, documented as such. */
export const DateTimeFilter = (description: string) =>
  applyDecorators(
    ApiPropertyOptional({
      type: String,
      format: 'date-time',
      description,
      example: '2026-01-31T12:00:00Z',
    }),
    IsOptional(),
    IsRfc3339(),
  );
