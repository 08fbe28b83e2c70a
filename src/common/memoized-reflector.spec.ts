import { SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { MemoizedReflector } from './memoized-reflector.js';

@SetMetadata('scope', 'class')
class Controller {
  @SetMetadata('scope', 'handler')
  decorated(): void {}

  plain(): void {}
}

describe('MemoizedReflector', () => {
  const plain = new Reflector();
  const memoized = new MemoizedReflector();
  const proto = Controller.prototype;

  it('answers what Reflector answers, handler before class, absent keys included', () => {
    for (let i = 0; i < 2; i++) {
      for (const targets of [
        [proto.decorated, Controller],
        [proto.plain, Controller],
        [proto.plain],
      ]) {
        for (const key of ['scope', 'absent']) {
          expect(memoized.getAllAndOverride(key, targets)).toBe(
            plain.getAllAndOverride(key, targets),
          );
        }
      }
    }
    expect(memoized.getAllAndOverride('scope', [proto.decorated, Controller])).toBe('handler');
    expect(memoized.getAllAndOverride('scope', [proto.plain, Controller])).toBe('class');
    expect(memoized.get('scope', proto.plain)).toBeUndefined();
  });
});
