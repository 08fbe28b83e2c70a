import { ValidateIf } from 'class-validator';

/**
 * Like @IsOptional(), but only for absence: the field's other rules still run on null, so a null
 * sent for a field that cannot be null is a 400 rather than a NULL reaching the database.
 */
export const AbsentOrGiven = () => ValidateIf((_object, value) => value !== undefined);
