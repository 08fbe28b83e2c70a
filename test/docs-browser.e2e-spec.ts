import type { Browser } from 'playwright-core';
import { startTestApp, type TestApp } from './app.js';
import { CHROMIUM, hasChromium, launchChromium, watchProblems } from './browser.js';
import { registerUser, type TestUser } from './factories.js';

if (!hasChromium) {
  describe('Swagger UI in a real browser', () => {
    it.skip(`SKIPPED: ${CHROMIUM} is missing (apt-get install chromium); Swagger UI was not checked under its CSP`, () =>
      undefined);
  });
} else {
  describe('Swagger UI in a real browser', () => {
    let t: TestApp;
    let browser: Browser;
    let user: TestUser;

    beforeAll(async () => {
      t = await startTestApp();
      user = await registerUser(t.api);
      browser = await launchChromium();
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
      await t?.close();
    });

    it('logs in with Authorize (password flow) and calls GET /users/me: 200, no CSP violation', async () => {
      const page = await browser.newPage();
      const problems = watchProblems(page);

      const loaded = await page.goto(`${t.api.baseUrl}/docs`);
      expect(loaded?.status()).toBe(200);
      expect(loaded?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");

      await page.locator('.scheme-container button.authorize').click();
      const oauth = page.locator('.auth-container').filter({ hasText: 'password' }).first();
      await oauth.locator('#oauth_username').fill(user.username);
      await oauth.locator('#oauth_password').fill(user.password);
      const tokenResponse = page.waitForResponse((r) => r.url().endsWith('/auth/token'));
      await oauth.locator('button.authorize').click();
      expect((await tokenResponse).status()).toBe(200);
      // Swagger UI shows "Logout" once it holds a token.
      await page.getByRole('button', { name: 'Logout' }).first().waitFor({ timeout: 10_000 });
      await page.locator('.modal-ux button.close-modal').click();

      const operation = page.locator('.opblock-get', {
        has: page.locator('.opblock-summary-path[data-path="/users/me"]'),
      });
      await operation.locator('.opblock-summary').first().click();
      await operation.locator('button.try-out__btn').click();
      const meResponse = page.waitForResponse((r) => r.url().endsWith('/users/me'));
      await operation.locator('button.execute').click();
      const me = await meResponse;
      expect(me.status()).toBe(200);
      expect(me.request().headers().authorization).toMatch(/^Bearer /);
      expect(await me.json()).toMatchObject({ id: user.id, username: user.username });
      // The page shows the live answer too.
      const shown = operation.locator('.live-responses-table tbody .response-col_status').first();
      await shown.waitFor();
      expect(await shown.textContent()).toContain('200');

      expect(problems.cspViolations).toEqual([]);
      await page.close();
    }, 60_000);
  });
}
