import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's chromium package; playwright's own browser download is never used. */
export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

/** Without the background-networking flags chromium keeps dialling Google, which this network refuses. */
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
}

/**
 * Collects what a page reports as going wrong: uncaught errors, console errors and CSP violations
 * (reported by the browser's own `securitypolicyviolation` event, so none can hide in a message
 * format). Chromium also logs every non-2xx fetch as "Failed to load resource"; those are the API's
 * answers, which the specs assert themselves, so they are kept apart in `failedLoads`.
 */
export function watchProblems(page: Page): {
  errors: string[];
  cspViolations: string[];
  failedLoads: string[];
} {
  const seen = {
    errors: [] as string[],
    cspViolations: [] as string[],
    failedLoads: [] as string[],
  };
  // A string, not a function: this file is compiled without the DOM library.
  void page.addInitScript({
    content: `document.addEventListener('securitypolicyviolation', (event) => {
      console.error('CSP violation: ' + event.violatedDirective + ' ' + event.blockedURI);
    });`,
  });
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    if (text.startsWith('CSP violation') || /Content Security Policy|Refused to/i.test(text)) {
      seen.cspViolations.push(text);
    } else if (text.startsWith('Failed to load resource')) {
      seen.failedLoads.push(`${text}: ${message.location().url}`);
    } else seen.errors.push(text);
  });
  page.on('pageerror', (error) => seen.errors.push(error.message));
  return seen;
}
