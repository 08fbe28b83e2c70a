import { IsItemDescription, IsItemName } from './item.rules.js';

/** Only what is sent changes; `description: null` clears the description. */
export class UpdateItemDto {
  @IsItemName({ optional: true })
  name?: string;

  @IsItemDescription()
  description?: string | null;
}
