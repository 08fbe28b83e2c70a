import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AdminAuditController, MySecurityEventsController } from './audit.controller.js';
import { SecurityEvent } from './security-event.entity.js';
import { SecurityEventsService } from './security-events.service.js';

/** Security events: written by users, auth (and any later module), read by admins and each user. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([SecurityEvent])],
  controllers: [AdminAuditController, MySecurityEventsController],
  providers: [SecurityEventsService],
  exports: [SecurityEventsService],
})
export class AuditModule {}
