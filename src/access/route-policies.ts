import { type INestApplication, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { type AccessPolicy, readAccessPolicy } from './authorization.guard.js';

/** One route handler of the running app with the access policy the guards will enforce on it. */
export interface RoutePolicy {
  /** `GET`, `POST`, ... */
  method: string;
  /** The router path, `/admin/users/:id` */
  path: string;
  controller: string;
  handler: string;
  policy: AccessPolicy;
}

const joinPath = (...parts: string[]) =>
  '/' +
  parts
    .flatMap((part) => part.split('/'))
    .filter((segment) => segment !== '')
    .join('/');

/**
 * Every route of every controller of the app, read from Nest's own metadata (DiscoveryService and the
 * route decorators' keys) with the same `readAccessPolicy` the guards use: what the Swagger document
 * and the route-walker spec both look at, so neither can drift from what is enforced.
 */
export function routePolicies(app: INestApplication): RoutePolicy[] {
  const reflector = app.get(Reflector);
  const scanner = app.get(MetadataScanner);
  const routes: RoutePolicy[] = [];
  for (const wrapper of app.get(DiscoveryService).getControllers()) {
    const controller = wrapper.metatype as (new (...args: never[]) => object) | null;
    if (!controller) continue;
    const prefixes = [Reflect.getMetadata(PATH_METADATA, controller) as string | string[]].flat();
    for (const name of scanner.getAllMethodNames(controller.prototype)) {
      const handler = (controller.prototype as Record<string, Function>)[name];
      const paths = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (paths === undefined || method === undefined) continue;
      const policy = readAccessPolicy(reflector, [handler, controller]);
      for (const prefix of prefixes) {
        for (const path of [paths].flat()) {
          routes.push({
            method: RequestMethod[method],
            path: joinPath(prefix ?? '', path),
            controller: controller.name,
            handler: name,
            policy,
          });
        }
      }
    }
  }
  return routes;
}
