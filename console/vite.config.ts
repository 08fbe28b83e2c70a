import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The admin console is built into dist/console and served by Gatehouse at /console. Asset names carry
 * a content hash (long cache); index.html is served no-cache. Nothing is inlined: the page runs under
 * a CSP without 'unsafe-inline'.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: 'es2022',
  },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
});
