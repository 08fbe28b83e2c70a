import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SecurityEvent } from './security-event.entity.js';
import { SecurityEventsService } from './security-events.service.js';

/** Security events, written by users and auth; depends on no feature module. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([SecurityEvent])],
  providers: [SecurityEventsService],
  exports: [SecurityEventsService],
})
export class AuditModule {}
