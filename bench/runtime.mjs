// Which node the bench's servers run on. By default the production image's: the Dockerfile's
// NODE_VERSION major, so `npm run bench` measures the runtime production runs whatever node started
// the bench (docs/performance.md, Decisions). When the running node is another major, that
// runtime's official binary is fetched from the npm registry once (`node-<platform>-<arch>@<major>`,
// the packages behind npm's `node` package) into bench/.node/, git-ignored, and reused.
//
//   BENCH_NODE unset     the image's major (the running node when it is that major)
//   BENCH_NODE=current   the node running the bench
//   BENCH_NODE=<path>    that binary
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The major version the Dockerfile's images are built on (`ARG NODE_VERSION=24`). */
export function imageNodeMajor(root) {
  const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
  const match = dockerfile.match(/^ARG NODE_VERSION=(\d+)\s*$/m);
  if (!match)
    throw new Error('Dockerfile: no "ARG NODE_VERSION=<major>" line to read the runtime from');
  return Number(match[1]);
}

/** The servers' node binary, per BENCH_NODE (above); `log` reports a download. */
export function serverNode(root, setting, log) {
  if (setting === 'current') return process.execPath;
  if (setting) return resolve(setting);
  const major = imageNodeMajor(root);
  if (Number(process.versions.node.split('.')[0]) === major) return process.execPath;
  return fetchedNode(join(root, 'bench', '.node', String(major)), major, log);
}

function fetchedNode(dir, major, log) {
  if (process.platform !== 'linux') {
    throw new Error(
      `fetching Node ${major} is done on Linux only; set BENCH_NODE=<path> or current`,
    );
  }
  const name = `node-${process.platform}-${process.arch}`;
  const binary = join(dir, 'node_modules', name, 'bin', 'node');
  // A download cut short leaves a binary that does not run: it is fetched again.
  if (existsSync(binary) && runsAs(binary, major)) return binary;
  log(`fetching Node ${major} (${name}@${major}) into ${dir}: the production image's runtime`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // A package.json of its own, so npm installs here and not into the project.
  writeFileSync(join(dir, 'package.json'), '{ "private": true }\n');
  try {
    execFileSync(
      'npm',
      ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', `${name}@${major}`],
      { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'], timeout: 10 * 60_000 },
    );
  } catch (error) {
    throw new Error(
      `could not fetch ${name}@${major} (${error.message}); BENCH_NODE=current measures the running node instead`,
      { cause: error },
    );
  }
  if (!existsSync(binary) || !runsAs(binary, major)) {
    throw new Error(`${name}@${major} installed no working ${binary}`);
  }
  return binary;
}

function runsAs(binary, major) {
  try {
    return execFileSync(binary, ['--version'], { encoding: 'utf8' }).startsWith(`v${major}.`);
  } catch {
    return false;
  }
}
