import { readFileSync } from 'node:fs';
import type { Env } from './env.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const QUOTES = ['"', "'", '`'];

export interface EnvFile {
  values: Record<string, string>;
  /** `line N: what is wrong`, never the line's text (it may hold a secret). */
  problems: string[];
}

/** Double-quoted values expand \n, \r, \t, \" and \\ (as dotenv and Node's --env-file do for \n). */
function unescape(value: string): string {
  return value.replace(/\\([nrt"\\])/g, (_match, c: string) =>
    c === 'n' ? '\n' : c === 'r' ? '\r' : c === 't' ? '\t' : c,
  );
}

/**
 * Parses a `.env` file the way dotenv and `node --env-file` read it (`NAME=value`, optional `export `,
 * `#` comments, single, double or backtick quotes, quoted values over several lines), but names every
 * line it cannot read instead of skipping it silently.
 */
export function parseEnvFile(text: string): EnvFile {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const values: Record<string, string> = {};
  const problems: string[] = [];
  for (let index = 0; index < lines.length; index++) {
    const number = index + 1;
    const line = lines[index].trim();
    if (line === '' || line.startsWith('#')) continue;
    const assignment = line.replace(/^export\s+/, '');
    const equals = assignment.indexOf('=');
    if (equals < 0) {
      problems.push(`line ${number}: expected NAME=value (no "=" found)`);
      continue;
    }
    const name = assignment.slice(0, equals).trim();
    if (!NAME.test(name)) {
      problems.push(
        `line ${number}: the name before "=" must be letters, digits and "_", not starting with a digit`,
      );
      continue;
    }
    let value = assignment.slice(equals + 1).trim();
    const quote = value[0];
    if (quote !== undefined && QUOTES.includes(quote)) {
      // The closing quote may be on a later line.
      let body = value.slice(1);
      let close = body.indexOf(quote);
      let last = index;
      while (close < 0 && last + 1 < lines.length) {
        last++;
        body += `\n${lines[last]}`;
        close = body.indexOf(quote);
      }
      if (close < 0) {
        problems.push(`line ${number}: the ${quote} quote opened here is never closed`);
        break;
      }
      const rest = body.slice(close + 1).trim();
      index = last;
      if (rest !== '' && !rest.startsWith('#')) {
        problems.push(`line ${number}: text after the closing ${quote} quote`);
        continue;
      }
      value = body.slice(0, close);
      if (quote === '"') value = unescape(value);
    } else {
      // Unquoted: a " #" starts a comment.
      const comment = value.search(/\s#/);
      if (comment >= 0) value = value.slice(0, comment).trim();
    }
    values[name] = value;
  }
  return { values, problems };
}

/**
 * Loads a `.env` file into `env`; variables already set win over the file. Returns the problems found,
 * so start-up can name them together with every other configuration problem.
 */
export function loadEnvFile(path: string, env: Env): string[] {
  const { values, problems } = parseEnvFile(readFileSync(path, 'utf8'));
  for (const [name, value] of Object.entries(values)) {
    if (env[name] === undefined) env[name] = value;
  }
  return problems.map((problem) => `${path} ${problem}`);
}
