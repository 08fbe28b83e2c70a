import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';

/** The only field users change about themselves; anything else in the body is a 400. */
export class UpdateMeDto {
  @ApiPropertyOptional({ maxLength: 200, nullable: true, type: String })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  full_name?: string | null;
}
