#!/usr/bin/env node
// The `gatehouse` operator CLI (docs/operations.md). The code is compiled to dist/ by `npm run build`.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('gatehouse: not built yet: run `npm run build` first');
  process.exit(1);
}
await import(entry.href);
