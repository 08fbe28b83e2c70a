import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

export class RefreshDto {
  @ApiPropertyOptional({
    description: 'The refresh token (old clients may send it as ?refresh_token=)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  refresh_token?: string;
}
