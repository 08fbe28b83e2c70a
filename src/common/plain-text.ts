import { decodeHTML } from 'entities';
import sanitizeHtml from 'sanitize-html';

/** No tags and no attributes survive; the text of script, style and similar elements goes too. */
const STRIP_ALL: sanitizeHtml.IOptions = { allowedTags: [], allowedAttributes: {} };
const MAX_ROUNDS = 5;

/**
 * Plain text: every piece of HTML removed, entities decoded, trimmed. `Tom & Jerry <3` stays as it
 * is (a JSON API stores text, not HTML; whoever renders it into a page escapes it). Decoding can
 * reveal markup that was entity-encoded (`&lt;script&gt;`), so stripping repeats until nothing
 * changes; input nested deeper than that keeps sanitize-html's escaped form, which holds no markup.
 */
export function stripHtml(value: string): string {
  let text = value;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const next = decodeHTML(sanitizeHtml(text, STRIP_ALL));
    if (next === text) return text.trim();
    text = next;
  }
  return sanitizeHtml(text, STRIP_ALL).trim();
}
