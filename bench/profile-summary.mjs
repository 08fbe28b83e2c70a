// Summarises a V8 .cpuprofile (from `BENCH_PROFILE=<target> npm run bench`, or `node --cpu-prof`):
// self time by function and by package / script.
//
//   node bench/profile-summary.mjs <file.cpuprofile> [top=15]
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const META = new Set(['(garbage collector)', '(idle)', '(program)', '(root)']);

/** A short, stable name for where a function lives: a package, a Node internal, or a file of ours. */
export function origin(url, functionName = '') {
  if (!url) return META.has(functionName) ? functionName : '(native / V8 builtin)';
  if (url.startsWith('node:')) {
    const [, area] = url.match(/^node:(?:internal\/)?([^/]+)/) ?? [];
    return `node:${area ?? url}`;
  }
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const inModules = path.lastIndexOf('/node_modules/');
  if (inModules !== -1) {
    const parts = path.slice(inModules + '/node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const dist = path.indexOf('/dist/');
  if (dist !== -1) return `gatehouse ${path.slice(dist + 1)}`;
  const bench = path.indexOf('/bench/');
  if (bench !== -1) return path.slice(bench + 1);
  return path;
}

function shortLocation(url, line) {
  if (!url) return '';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const inModules = path.lastIndexOf('/node_modules/');
  const short = inModules !== -1 ? path.slice(inModules + '/node_modules/'.length) : path;
  return `${short.replace(/^.*\/dist\//, 'dist/')}:${line + 1}`;
}

export function summarise(profile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  const { samples = [], timeDeltas = [] } = profile;
  for (let i = 0; i < samples.length; i++) {
    self.set(samples[i], (self.get(samples[i]) ?? 0) + (timeDeltas[i + 1] ?? timeDeltas[i] ?? 0));
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0) || 1;
  const functions = new Map();
  const origins = new Map();
  for (const [id, micros] of self) {
    const { callFrame } = byId.get(id);
    const name = callFrame.functionName || '(anonymous)';
    const key = `${name}\u0000${callFrame.url}\u0000${callFrame.lineNumber}`;
    const where = origin(callFrame.url, callFrame.functionName);
    const entry = functions.get(key) ?? {
      name,
      origin: where,
      location: shortLocation(callFrame.url, callFrame.lineNumber),
      micros: 0,
    };
    entry.micros += micros;
    functions.set(key, entry);
    origins.set(where, (origins.get(where) ?? 0) + micros);
  }
  const busy = total - (origins.get('(idle)') ?? 0);
  const sortDown = (a, b) => b.micros - a.micros;
  return {
    totalMs: total / 1000,
    busyMs: busy / 1000,
    functions: [...functions.values()].sort(sortDown),
    origins: [...origins.entries()].map(([name, micros]) => ({ name, micros })).sort(sortDown),
  };
}

export function formatSummary(summary, top = 15) {
  const pct = (micros) => `${((100 * micros) / (summary.busyMs * 1000)).toFixed(1)}%`.padStart(6);
  const ms = (micros) => `${(micros / 1000).toFixed(0)} ms`.padStart(9);
  const lines = [
    `Profile: ${summary.totalMs.toFixed(0)} ms sampled, ${summary.busyMs.toFixed(0)} ms not idle ` +
      '(percentages are of the non-idle time)',
    '',
    'Self time by package / script:',
  ];
  for (const { name, micros } of summary.origins.filter((o) => o.name !== '(idle)').slice(0, top)) {
    lines.push(`  ${pct(micros)} ${ms(micros)}  ${name}`);
  }
  lines.push('', 'Top functions by self time:');
  for (const fn of summary.functions.filter((f) => f.origin !== '(idle)').slice(0, top)) {
    lines.push(`  ${pct(fn.micros)} ${ms(fn.micros)}  ${fn.name}  [${fn.origin}] ${fn.location}`);
  }
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [file, top = '15'] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node bench/profile-summary.mjs <file.cpuprofile> [top]');
    process.exit(2);
  }
  console.log(formatSummary(summarise(JSON.parse(readFileSync(file, 'utf8'))), Number(top)));
}
