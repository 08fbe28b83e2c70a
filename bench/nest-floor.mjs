// The Nest floor: a bare NestJS 12 + fastify app with one controller doing what the node:http floor
// does (bearer token checked as HS256 with node:crypto, small JSON answer). No guards, no middleware,
// no interceptors, no database, Nest's logger off. What NestJS + fastify routing costs on this
// machine, so every Gatehouse figure can be read against both ceilings. Written without TypeScript
// decorators: they are applied by hand below, as the compiler would.
import 'reflect-metadata';
import { Controller, Get, Headers, Module, UnauthorizedException } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { verifyHs256 } from './jwt.mjs';

export async function createNestFloorApp({ secretKey, issuer, audience }) {
  const key = Buffer.from(secretKey);

  class UsersController {
    me(authorization) {
      const claims =
        typeof authorization === 'string' && authorization.startsWith('Bearer ')
          ? verifyHs256(authorization.slice(7), key, { issuer, audience })
          : undefined;
      if (!claims) throw new UnauthorizedException();
      return { id: claims.sub, scope: claims.scope, roles: claims.roles };
    }
  }
  const proto = UsersController.prototype;
  Headers('authorization')(proto, 'me', 0);
  Reflect.decorate([Get('me')], proto, 'me', Object.getOwnPropertyDescriptor(proto, 'me'));
  Reflect.decorate([Controller('users')], UsersController);

  class FloorModule {}
  Reflect.decorate([Module({ controllers: [UsersController] })], FloorModule);

  return NestFactory.create(FloorModule, new FastifyAdapter(), { logger: false });
}
