// Jest transformer for @nestjs/throttler's CommonJS files; see test/nest-for-cjs.ts for why.
const { createHash } = require('node:crypto');

module.exports = {
  process(source) {
    return {
      code: source.replace(
        /require\("@nestjs\/(common|core)"\)/g,
        (_m, name) => `globalThis.__GATEHOUSE_NEST__.${name}`,
      ),
    };
  },
  getCacheKey(source, path) {
    return createHash('sha256')
      .update('cjs-require-nest-v1')
      .update(path)
      .update(source)
      .digest('hex');
  },
};
