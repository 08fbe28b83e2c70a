import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ConsoleAsset {
  body: Buffer;
  contentType: string;
}

export interface ConsoleAssets {
  index: ConsoleAsset;
  /** Hashed file names under /console/assets/, the only other files served. */
  files: ReadonlyMap<string, ConsoleAsset>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/**
 * Where `npm run build` (vite) writes the console: dist/console at the project's top. This module runs
 * from dist/src/console when built and from src/console under the tests' ts-jest.
 */
function consoleDirectory(): string | null {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const built = here.includes(`${sep}dist${sep}src${sep}`);
  const directory = join(here, built ? '../../console' : '../../dist/console');
  return existsSync(join(directory, 'index.html')) ? directory : null;
}

/**
 * Reads the built console once, at start-up: a few tens of kilobytes kept in memory, so a request
 * never touches the disk and no path from a URL ever reaches the file system.
 */
export function loadConsoleAssets(): ConsoleAssets | null {
  const directory = consoleDirectory();
  if (!directory) return null;
  const files = new Map<string, ConsoleAsset>();
  const assets = join(directory, 'assets');
  for (const name of existsSync(assets) ? readdirSync(assets) : []) {
    const contentType = CONTENT_TYPES[extname(name)];
    if (contentType) files.set(name, { body: readFileSync(join(assets, name)), contentType });
  }
  return {
    index: {
      body: readFileSync(join(directory, 'index.html')),
      contentType: 'text/html; charset=utf-8',
    },
    files,
  };
}
