import { Reflector } from '@nestjs/core';

/**
 * A Reflector that reads each metadata key of a handler or class once. Route metadata is fixed when the
 * classes are defined, and @nestjs/throttler's guard asks for six keys per throttler on the handler and
 * on the class, on every request (36 walks of reflect-metadata's maps for our three throttlers).
 * Only for guards that read decorator metadata; nothing here sets metadata at run time.
 */
export class MemoizedReflector extends Reflector {
  private readonly read = new WeakMap<object, Map<unknown, unknown>>();

  override get(metadataKeyOrDecorator: unknown, target: object): never {
    let known = this.read.get(target);
    if (!known) this.read.set(target, (known = new Map()));
    if (known.has(metadataKeyOrDecorator)) return known.get(metadataKeyOrDecorator) as never;
    const value = super.get(metadataKeyOrDecorator as string, target as () => void) as unknown;
    known.set(metadataKeyOrDecorator, value);
    return value as never;
  }
}
