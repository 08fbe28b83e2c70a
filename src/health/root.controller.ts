import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { APP_NAME, APP_VERSION } from '../config/app.config.js';
import { Public } from '../access/public.decorator.js';

@ApiTags('service')
@Controller()
@Public()
export class RootController {
  @Get()
  @ApiOperation({ summary: 'Service name, version and where to go next' })
  index() {
    return {
      name: APP_NAME,
      version: APP_VERSION,
      links: {
        docs: '/docs',
        openapi: '/docs-json',
        health: '/health',
        register: '/auth/register',
        token: '/auth/token',
        me: '/users/me',
      },
    };
  }
}
