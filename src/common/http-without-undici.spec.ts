import { createRequire } from 'node:module';
import { importHttpWithoutUndici } from './http-without-undici.js';

const http = createRequire(import.meta.url)('node:http') as Record<string, unknown>;
const NAMES = ['WebSocket', 'CloseEvent', 'MessageEvent'];

describe('importHttpWithoutUndici', () => {
  it("puts node:http's exports back as they were, still loading on first use", async () => {
    const before = NAMES.map((name) => Object.getOwnPropertyDescriptor(http, name));
    await importHttpWithoutUndici();
    await importHttpWithoutUndici();
    expect(NAMES.map((name) => Object.getOwnPropertyDescriptor(http, name))).toEqual(before);
    for (const [index, name] of NAMES.entries()) {
      // Node 24 has them (getters); Node 20 has none, and gets none.
      if (before[index]) expect(typeof http[name]).toBe('function');
      else expect(name in http).toBe(false);
    }
  });

  it('leaves the ES module of node:http usable', async () => {
    await importHttpWithoutUndici();
    const module = await import('node:http');
    expect(typeof module.createServer).toBe('function');
    expect(module.STATUS_CODES[404]).toBe('Not Found');
  });
});
