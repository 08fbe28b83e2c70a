import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { PageQuery } from '../../common/dto/page.query.js';

export class ListApiKeysQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only this user’s keys' })
  @IsOptional()
  @IsUUID('all', { message: 'user_id must be a UUID' })
  user_id?: string;
}
