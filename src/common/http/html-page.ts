import { escapeUTF8 } from 'entities';

/** Escapes text for HTML element content and double-quoted attribute values. */
export const escapeHtml = escapeUTF8;

const STYLE =
  'body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;line-height:1.5}' +
  'label{display:block;margin:1rem 0 .25rem}input{width:100%;padding:.5rem;box-sizing:border-box}' +
  'button{margin-top:1rem;padding:.5rem 1rem}.error{color:#a00}';

/**
 * A plain server-rendered page: no script at all (the strict CSP allows none inline), forms that post
 * to this origin (`form-action 'self'`). `body` is HTML the caller built with escaped values.
 */
export function htmlPage(title: string, body: string): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<meta name="referrer" content="no-referrer">` +
    `<title>${escapeHtml(title)} - Gatehouse</title><style>${STYLE}</style></head>` +
    `<body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`
  );
}

/** A paragraph per message, marked as an error. */
export function errorList(messages: string[]): string {
  return messages
    .map((message) => `<p class="error" role="alert">${escapeHtml(message)}</p>`)
    .join('');
}

/** Status, and the no-store headers a page with a token in its address needs. */
export interface PageReply {
  status(code: number): unknown;
}
