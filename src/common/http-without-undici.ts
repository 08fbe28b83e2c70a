import { createRequire } from 'node:module';

/** `node:http` exports that Node 24 defines as getters loading undici (fetch and WebSocket's code). */
const UNDICI_EXPORTS = ['WebSocket', 'CloseEvent', 'MessageEvent'];

/**
 * Makes `node:http`'s ES module without loading undici: nothing of Gatehouse uses those classes.
 *
 * Why: the first ES-module import of a builtin reads every export to bind the named ones, and on Node
 * 24 three of `node:http`'s exports are getters that load undici, 770 KB of bundled source, compiled
 * and run: about 4 MB of the idle process's resident memory. NestJS imports `http` as an ES module,
 * so every process paid it. Here the three getters are taken off the CommonJS exports while the ES
 * module is made, and put back at once: `require('node:http').WebSocket` and the ES module's default
 * export still load the class on first use; only a named ES import of these three reads undefined.
 * A no-op when the ES module exists already, and on Node 20, which has no such exports.
 * docs/performance.md, Memory.
 */
export async function importHttpWithoutUndici(): Promise<void> {
  const http = createRequire(import.meta.url)('node:http') as Record<string, unknown>;
  const hidden: [string, PropertyDescriptor][] = [];
  for (const name of UNDICI_EXPORTS) {
    const descriptor = Object.getOwnPropertyDescriptor(http, name);
    if (descriptor?.get && descriptor.configurable) {
      hidden.push([name, descriptor]);
      delete http[name];
    }
  }
  try {
    await import('node:http');
  } finally {
    for (const [name, descriptor] of hidden) Object.defineProperty(http, name, descriptor);
  }
}
