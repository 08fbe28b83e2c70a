import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module.js';
import { ExamplesController } from './examples.controller.js';

@Module({ imports: [UsersModule], controllers: [ExamplesController] })
export class ExamplesModule {}
