import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';

type CompilerFactories = Required<
  NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>
>;

/** Fastify's own compiler packages, resolved from Fastify's install as Fastify itself would. */
const fastifyRequire = createRequire(createRequire(import.meta.url).resolve('fastify'));

/** The package's factory (what Fastify would have built at once), built on its first call. */
function builtOnFirstCall<K extends keyof CompilerFactories>(
  packageName: string,
): CompilerFactories[K] {
  let built: CompilerFactories[K] | undefined;
  const factory = (...args: Parameters<CompilerFactories[K]>) => {
    built ??= (fastifyRequire(packageName) as () => CompilerFactories[K])();
    return (built as (...args: Parameters<CompilerFactories[K]>) => unknown)(...args);
  };
  return factory as CompilerFactories[K];
}

/**
 * Fastify's default schema compilers (Ajv for validation, fast-json-stringify for serialisation), built
 * the first time a route with a Fastify schema needs one instead of when the instance is created. No
 * route of ours declares a Fastify schema (Nest validates bodies with class-validator), so a process
 * normally never loads them: about 0.13 s of start-up and 6-7 MB of RSS (docs/performance.md).
 */
export function lazySchemaCompilers(): CompilerFactories {
  return {
    buildValidator: builtOnFirstCall<'buildValidator'>('@fastify/ajv-compiler'),
    buildSerializer: builtOnFirstCall<'buildSerializer'>('@fastify/fast-json-stringify-compiler'),
  };
}
