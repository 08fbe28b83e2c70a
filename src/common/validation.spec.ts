import 'reflect-metadata';
import { Body as NestBody, Controller, Post, UsePipes } from '@nestjs/common';
import { MODULE_METADATA, PIPES_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import { AppModule } from '../app.module.js';
import { AppError } from './errors/app-error.js';
import { Body, Param, Query, validationPipe } from './validation.js';

/** What the global pipe validated: Nest hands it 'body', 'query' and 'param'; anything else is 'custom'. */
const CLIENT_INPUT = new Set<number>([
  RouteParamtypes.BODY,
  RouteParamtypes.QUERY,
  RouteParamtypes.PARAM,
]);

interface ParamMetadata {
  index: number;
  pipes?: unknown[];
}

/** Every method of a controller, inherited ones included. */
function methodsOf(controller: Function): string[] {
  const names = new Set<string>();
  for (let proto = controller.prototype; proto && proto !== Object.prototype;) {
    for (const name of Object.getOwnPropertyNames(proto))
      if (name !== 'constructor') names.add(name);
    proto = Object.getPrototypeOf(proto);
  }
  return [...names];
}

/**
 * `Class.method(#index)` for every body, query or path parameter whose first pipe is not the
 * validation pipe, and every class or method pipe (it would run before the validation pipe, where the
 * global pipe ran before it).
 */
function unvalidatedParams(controller: Function): { checked: number; missing: string[] } {
  let checked = 0;
  const missing: string[] = [];
  if (Reflect.getMetadata(PIPES_METADATA, controller))
    missing.push(`${controller.name}: @UsePipes`);
  for (const method of methodsOf(controller)) {
    const handler: unknown = controller.prototype[method];
    if (typeof handler === 'function' && Reflect.getMetadata(PIPES_METADATA, handler)) {
      missing.push(`${controller.name}.${method}: @UsePipes`);
    }
    const params: Record<string, ParamMetadata> =
      Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, method) ?? {};
    for (const [key, param] of Object.entries(params)) {
      if (!CLIENT_INPUT.has(Number(key.split(':')[0]))) continue;
      checked++;
      if (param.pipes?.[0] !== validationPipe) {
        missing.push(`${controller.name}.${method}(#${param.index})`);
      }
    }
  }
  return { checked, missing };
}

type ModuleRef = Function | { module: Function; imports?: unknown[]; controllers?: Function[] };

/** The controllers the app serves: AppModule's, its imports' (dynamic modules included), and so on. */
function controllersOf(root: Function): Set<Function> {
  const controllers = new Set<Function>();
  const seen = new Set<unknown>();
  const visit = (ref: unknown): void => {
    if (!ref || seen.has(ref)) return;
    seen.add(ref);
    if (typeof ref === 'function') {
      for (const c of Reflect.getMetadata(MODULE_METADATA.CONTROLLERS, ref) ?? [])
        controllers.add(c);
      for (const i of Reflect.getMetadata(MODULE_METADATA.IMPORTS, ref) ?? []) visit(i);
      return;
    }
    const dynamic = ref as Exclude<ModuleRef, Function>;
    if (typeof dynamic.module !== 'function') return;
    for (const c of dynamic.controllers ?? []) controllers.add(c);
    for (const i of dynamic.imports ?? []) visit(i);
    visit(dynamic.module);
  };
  visit(root);
  return controllers;
}

describe('validation of client input', () => {
  it('binds the validation pipe to every body, query and path parameter the app serves', () => {
    const controllers = controllersOf(AppModule);
    let checked = 0;
    const missing: string[] = [];
    for (const controller of controllers) {
      const found = unvalidatedParams(controller);
      checked += found.checked;
      missing.push(...found.missing);
    }
    expect(missing).toEqual([]);
    // Not a walk that found nothing: the app's 27 controllers and their 46 such parameters.
    expect(controllers.size).toBeGreaterThanOrEqual(25);
    expect(checked).toBeGreaterThanOrEqual(45);
  });

  it('reports a parameter bound with Nest’s own decorator, which has no pipe', () => {
    @Controller('probe')
    class ProbeController {
      @Post('nest')
      viaNest(@NestBody() body: unknown) {
        return body;
      }

      @Post('ours')
      viaOurs(@Body() body: unknown, @Query('q') q: string, @Param('id') id: string) {
        return [body, q, id];
      }

      @Post('piped')
      @UsePipes({ transform: (value: unknown) => value })
      piped(@Body() body: unknown) {
        return body;
      }
    }
    class InheritingController extends ProbeController {}
    expect(unvalidatedParams(InheritingController)).toEqual({
      checked: 5,
      missing: ['InheritingController.viaNest(#0)', 'InheritingController.piped: @UsePipes'],
    });
  });

  it('keeps a route’s own pipes, after the validation pipe', () => {
    const own = { transform: (value: unknown) => value };
    class Probe {
      handler(@Param('id', own) id: string) {
        return id;
      }
    }
    const params: Record<string, ParamMetadata> = Reflect.getMetadata(
      ROUTE_ARGS_METADATA,
      Probe,
      'handler',
    );
    expect(Object.values(params)[0].pipes).toEqual([validationPipe, own]);
  });

  it('refuses what the global pipe refused: unknown fields and NUL characters', async () => {
    class Dto {}
    await expect(
      validationPipe.transform({ extra: 1 }, { type: 'body', metatype: Dto }),
    ).rejects.toBeInstanceOf(AppError);
    await expect(
      validationPipe.transform('a\u0000b', { type: 'query', data: 'q', metatype: String }),
    ).rejects.toBeInstanceOf(AppError);
  });
});
