import { IsItemDescription, IsItemName } from './item.rules.js';

export class CreateItemDto {
  @IsItemName({ optional: false })
  name: string;

  @IsItemDescription()
  description?: string | null;
}
