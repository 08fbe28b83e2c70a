import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { AbsentOrGiven } from '../../common/dto/absent-or-given.js';
import { StripHtml } from '../../common/plain-text.js';

export const ITEM_NAME_MAX_LENGTH = 200;
export const ITEM_DESCRIPTION_MAX_LENGTH = 2000;

/*
 * HTML is stripped while the body is transformed, before validation, so the rules that follow
 * (lengths above all) judge the cleaned text. Text longer than twice the limit is not parsed at all
 * and fails the length rule (see StripHtml). Anything that is not a string is left as it is for
 * `@IsString()` to refuse.
 */

/** 1 to 200 characters once HTML is stripped: a name that was nothing but markup is a 400. */
export const IsItemName = (options: { optional: boolean }) =>
  applyDecorators(
    (options.optional ? ApiPropertyOptional : ApiProperty)({
      minLength: 1,
      maxLength: ITEM_NAME_MAX_LENGTH,
      description:
        'HTML is stripped; the length counts the text that is left (at most twice that before stripping)',
    }),
    // Absent is fine where the name is optional; null never is.
    ...(options.optional ? [AbsentOrGiven()] : []),
    StripHtml(ITEM_NAME_MAX_LENGTH),
    IsString(),
    Length(1, ITEM_NAME_MAX_LENGTH, {
      message: `name must be 1 to ${ITEM_NAME_MAX_LENGTH} characters long once HTML is removed`,
    }),
  );

/** Up to 2000 characters once HTML is stripped; null, or nothing left, means no description. */
export const IsItemDescription = () =>
  applyDecorators(
    ApiPropertyOptional({
      type: String,
      nullable: true,
      maxLength: ITEM_DESCRIPTION_MAX_LENGTH,
      description:
        'HTML is stripped (at most twice the limit before stripping); text that is empty once stripped is stored as null',
    }),
    IsOptional(),
    StripHtml(ITEM_DESCRIPTION_MAX_LENGTH, () => null),
    IsString(),
    MaxLength(ITEM_DESCRIPTION_MAX_LENGTH, {
      message: `description must be at most ${ITEM_DESCRIPTION_MAX_LENGTH} characters long once HTML is removed`,
    }),
  );
