import 'reflect-metadata';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Body as NestBody, Controller, Post } from '@nestjs/common';
import { PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import { AppError } from './errors/app-error.js';
import { Body, Param, Query, validationPipe } from './validation.js';

/** Parameters whose value comes from the client and that Nest lets a pipe change. */
const CLIENT_INPUT = new Set<number>([
  RouteParamtypes.BODY,
  RouteParamtypes.RAW_BODY,
  RouteParamtypes.QUERY,
  RouteParamtypes.PARAM,
  RouteParamtypes.FILE,
  RouteParamtypes.FILES,
  RouteParamtypes.COOKIES,
  RouteParamtypes.SIGNED_COOKIES,
]);

interface ParamMetadata {
  index: number;
  pipes?: unknown[];
}

/** `Class.method(#index)` for every client-input parameter whose first pipe is not the validation pipe. */
function unvalidatedParams(controller: Function): { checked: number; missing: string[] } {
  let checked = 0;
  const missing: string[] = [];
  for (const method of Object.getOwnPropertyNames(controller.prototype)) {
    const params: Record<string, ParamMetadata> =
      Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, method) ?? {};
    for (const [key, param] of Object.entries(params)) {
      const type = Number(key.split(':')[0]);
      if (!CLIENT_INPUT.has(type)) continue;
      checked++;
      if (param.pipes?.[0] !== validationPipe) {
        missing.push(`${controller.name}.${method}(#${param.index})`);
      }
    }
  }
  return { checked, missing };
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

describe('validation of client input', () => {
  it('binds the validation pipe to every body, query and path parameter of every controller', async () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    const files = sourceFiles(root).filter((file) =>
      readFileSync(file, 'utf8').includes('@Controller('),
    );
    let controllers = 0;
    let checked = 0;
    const missing: string[] = [];
    for (const file of files) {
      const exports = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
      for (const value of Object.values(exports)) {
        if (
          typeof value !== 'function' ||
          Reflect.getMetadata(PATH_METADATA, value) === undefined
        ) {
          continue;
        }
        controllers++;
        const found = unvalidatedParams(value);
        checked += found.checked;
        missing.push(...found.missing.map((where) => `${relative(root, file)}: ${where}`));
      }
    }
    expect(missing).toEqual([]);
    // Not a check that found nothing to check: every controller file was read.
    expect(controllers).toBeGreaterThanOrEqual(files.length);
    expect(checked).toBeGreaterThan(40);
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
    }
    expect(unvalidatedParams(ProbeController)).toEqual({
      checked: 4,
      missing: ['ProbeController.viaNest(#0)'],
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
