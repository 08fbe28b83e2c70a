import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { usersConfig } from '../config/users.config.js';
import { AdminUsersController } from './admin-users.controller.js';
import { UserCache } from './user-cache.js';
import { User } from './user.entity.js';
import { UsersController } from './users.controller.js';
import { LoginAttemptsModule } from '../login-attempts/login-attempts.module.js';
import { UsersService } from './users.service.js';

@Module({
  imports: [
    TypeOrmModule.forFeature([User]),
    ConfigModule.forFeature(usersConfig),
    LoginAttemptsModule,
  ],
  controllers: [UsersController, AdminUsersController],
  providers: [UsersService, UserCache],
  exports: [UsersService],
})
export class UsersModule {}
