import { ApiProperty } from '@nestjs/swagger';
import { AdminUserResponse } from './user.response.js';

export class UserPageResponse {
  @ApiProperty({ type: [AdminUserResponse] }) items: AdminUserResponse[];
  @ApiProperty({ type: 'integer' }) total: number;
  @ApiProperty({ type: 'integer' }) page: number;
  @ApiProperty({ type: 'integer' }) limit: number;
}
