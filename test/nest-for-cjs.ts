// @nestjs/throttler is CommonJS and require()s @nestjs/common and @nestjs/core, which are ESM-only in
// NestJS 12. Node 20 loads that natively (the app runs fine); jest's own module loader cannot before
// Node 24.9. So, in tests only, test/cjs-require-nest.cjs rewrites those require() calls to read the
// ESM modules loaded here: one instance of each, shared with the app under test.
import * as common from '@nestjs/common';
import * as core from '@nestjs/core';

(globalThis as Record<string, unknown>).__GATEHOUSE_NEST__ = { common, core };
