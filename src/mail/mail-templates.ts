import { escapeUTF8 } from 'entities';
import type { MailParams } from './mail-message.entity.js';

/** Every kind of mail Gatehouse sends. Link mails carry a token; notices never do. */
export const MAIL_KINDS = [
  'password_reset',
  'verify_email',
  'change_email',
  'password_changed',
  'email_change_requested',
  'two_factor_disabled',
  'account_locked',
] as const;
export type MailKind = (typeof MAIL_KINDS)[number];

/** The page a link mail points at (`<APP_URL>/<page>?token=...`). */
export const LINK_PAGE: Partial<Record<MailKind, string>> = {
  password_reset: 'reset-password',
  verify_email: 'verify-email',
  change_email: 'verify-email',
};

export const RESET_PAGE = 'reset-password';
export const VERIFY_PAGE = 'verify-email';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/** One paragraph: plain text, or a link shown both as a link and as its address in plain text. */
type Block = string | { link: string; label: string };

interface MailContent {
  subject: string;
  blocks: Block[];
}

export interface RenderInput {
  kind: MailKind;
  params: MailParams;
  appUrl: string;
  /** The link's token, for link mails only. */
  token?: string;
}

function str(params: MailParams, key: string): string {
  const value = params[key];
  return value === null || value === undefined ? '' : String(value);
}

const IGNORE = 'If this was not you, you can ignore this mail: nothing changes without the link.';

function content(input: RenderInput): MailContent {
  const { kind, params, appUrl } = input;
  const hello = `Hello ${str(params, 'username')},`;
  const tokenLink = (page: string) => `${appUrl}/${page}?token=${input.token ?? ''}`;
  const resetPage = `${appUrl}/${RESET_PAGE}`;
  const notMe: Block[] = [
    'If this was not you, reset your password now (the reset ends every session):',
    { link: resetPage, label: 'Reset my password' },
  ];
  switch (kind) {
    case 'password_reset':
      return {
        subject: 'Reset your Gatehouse password',
        blocks: [
          hello,
          `Someone asked to reset the password of your account. The link below works once, for ${str(params, 'minutes')} minutes; only the newest link you were sent works.`,
          { link: tokenLink(RESET_PAGE), label: 'Choose a new password' },
          IGNORE,
        ],
      };
    case 'verify_email':
      return {
        subject: 'Confirm your e-mail address for Gatehouse',
        blocks: [
          hello,
          `Please confirm that this address belongs to your account. The link works once, for ${str(params, 'hours')} hours.`,
          { link: tokenLink(VERIFY_PAGE), label: 'Confirm my address' },
          IGNORE,
        ],
      };
    case 'change_email':
      return {
        subject: 'Confirm your new e-mail address for Gatehouse',
        blocks: [
          hello,
          `Your account's address is about to change to this one. It changes when you open the link below (it works once, for ${str(params, 'hours')} hours).`,
          { link: tokenLink(VERIFY_PAGE), label: 'Confirm the new address' },
          IGNORE,
        ],
      };
    case 'password_changed':
      return {
        subject: 'Your Gatehouse password was changed',
        blocks: [
          hello,
          params.how === 'reset'
            ? 'The password of your account was just reset through a mailed link, and every session was ended.'
            : 'The password of your account was just changed, and your other sessions were ended.',
          ...notMe,
        ],
      };
    case 'email_change_requested':
      return {
        subject: 'A change of your Gatehouse e-mail address was requested',
        blocks: [
          hello,
          `Someone signed in to your account asked to change its address to ${str(params, 'new_email')}. It changes only when the link sent to that address is used.`,
          ...notMe,
        ],
      };
    case 'two_factor_disabled':
      return {
        subject: 'Two-factor authentication was turned off',
        blocks: [
          hello,
          params.by === 'admin'
            ? 'An administrator turned two-factor authentication off for your account.'
            : 'Two-factor authentication was turned off for your account.',
          ...notMe,
        ],
      };
    case 'account_locked':
      return {
        subject: 'Your Gatehouse account was locked',
        blocks: [
          hello,
          `After too many failed sign-ins your account is locked for ${str(params, 'minutes')} minutes. It unlocks by itself; resetting your password unlocks it at once:`,
          { link: resetPage, label: 'Reset my password' },
          'If those sign-ins were not you, someone may know or be guessing your password: a reset is a good idea.',
        ],
      };
  }
}

function blockText(block: Block): string {
  return typeof block === 'string' ? block : `${block.label}: ${block.link}`;
}

function blockHtml(block: Block): string {
  if (typeof block === 'string') return `<p>${escapeUTF8(block)}</p>`;
  const href = escapeUTF8(block.link);
  return (
    `<p><a href="${href}">${escapeUTF8(block.label)}</a></p>` +
    `<p style="font-size:small">Or paste this address into your browser: ${href}</p>`
  );
}

/** The subject, a plain-text part and an HTML part (every value escaped) of one mail. */
export function renderMail(input: RenderInput): RenderedMail {
  const { subject, blocks } = content(input);
  const text = `${blocks.map(blockText).join('\n\n')}\n\n-- \nGatehouse\n`;
  const html =
    `<!doctype html><html><head><meta charset="utf-8"><title>${escapeUTF8(subject)}</title></head>` +
    `<body>${blocks.map(blockHtml).join('')}<p>-- <br>Gatehouse</p></body></html>`;
  return { subject, text, html };
}
