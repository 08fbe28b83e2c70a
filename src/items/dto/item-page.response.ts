import { ApiProperty } from '@nestjs/swagger';
import { ItemResponse } from './item.response.js';

export class ItemPageResponse {
  @ApiProperty({ type: [ItemResponse] }) items: ItemResponse[];
  @ApiProperty() total: number;
  @ApiProperty() page: number;
  @ApiProperty() limit: number;
}
