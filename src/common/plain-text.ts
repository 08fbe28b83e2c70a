import { Transform } from 'class-transformer';
import { decodeHTML } from 'entities';
import { createRequire } from 'node:module';
import type sanitizeHtml from 'sanitize-html';

/** No tags and no attributes survive; the text of script, style and similar elements goes too. */
const STRIP_ALL: sanitizeHtml.IOptions = { allowedTags: [], allowedAttributes: {} };
const MAX_ROUNDS = 5;

let sanitizer: typeof sanitizeHtml | undefined;

/**
 * sanitize-html (with its HTML and CSS parsers), loaded by the first text that needs it rather than at
 * start-up: it is a noticeable part of the process's start time and memory.
 */
function sanitize(text: string): string {
  sanitizer ??= createRequire(import.meta.url)('sanitize-html') as typeof sanitizeHtml;
  return sanitizer(text, STRIP_ALL);
}
/**
 * Markup may make a field's raw text at most this many times longer than its limit for the text left.
 * The size is checked before the HTML parser runs: parsing costs about 1-2 ms per KB, so a 99 KB
 * `<b>...` name must be refused by its length, not after being parsed.
 */
export const MARKUP_ALLOWANCE = 2;

/** The longest raw input a field with this text limit sends to the HTML parser. */
export function rawTextLimit(maxLength: number): number {
  return maxLength * MARKUP_ALLOWANCE;
}

/**
 * Plain text: every piece of HTML removed, entities decoded, trimmed. `Tom & Jerry <3` stays as it
 * is (a JSON API stores text, not HTML; whoever renders it into a page escapes it). Decoding can
 * reveal markup that was entity-encoded (`&lt;script&gt;`), so stripping repeats until nothing
 * changes; input nested deeper than that keeps sanitize-html's escaped form, which holds no markup.
 * Callers bound the input first (see StripHtml); this refuses anything above a hard ceiling anyway.
 */
export function stripHtml(value: string, maxInput = 64 * 1024): string {
  if (value.length > maxInput) throw new RangeError('text too long to sanitise');
  let text = value;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const next = decodeHTML(sanitize(text));
    if (next === text) return text.trim();
    text = next;
  }
  return sanitize(text).trim();
}

/**
 * Strips HTML from a string property while the body is transformed, so the validators that follow
 * judge the cleaned text; but only a string within `rawTextLimit(maxLength)`: a longer one is left as
 * it is, unparsed, for the field's length rule to refuse. Anything not a string is left for
 * `@IsString()`. `empty` maps text that is empty once stripped (a description becomes null).
 */
export function StripHtml(maxLength: number, empty?: (text: string) => unknown): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) => {
    if (typeof value !== 'string' || value.length > rawTextLimit(maxLength)) return value;
    const text = stripHtml(value);
    return empty && text === '' ? empty(text) : text;
  });
}
