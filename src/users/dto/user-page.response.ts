import { ApiProperty } from '@nestjs/swagger';
import { UserResponse } from './user.response.js';

export class UserPageResponse {
  @ApiProperty({ type: [UserResponse] }) items: UserResponse[];
  @ApiProperty() total: number;
  @ApiProperty() page: number;
  @ApiProperty() limit: number;
}
