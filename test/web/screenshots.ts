/**
 * The dashboard's screenshots in docs/images (shown in the README): the campaigns page, the
 * multivariate campaign's page, what made one of its numbers and the API reference, taken the
 * same way by the browser test (into a temp dir) and by `npm run screenshots`
 * (make-screenshots.ts, into docs/images).
 */
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { signIn } from '../support/browser.js';

export async function takeDashboardScreenshots(
  browser: Browser,
  baseUrl: string,
  key: string,
  dir: string,
  end: string,
): Promise<string[]> {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  const page = await context.newPage();
  await signIn(page, baseUrl, key);
  await page.locator('table.campaigns tbody tr .spark').first().waitFor();
  await page.waitForFunction("!document.body.innerText.includes('…')");
  const campaigns = join(dir, 'dashboard-campaigns.png');
  await page.screenshot({ path: campaigns });
  await page.goto(
    `${baseUrl}/campaign/demo_onboarding_tips?end=${end}&days=30&metric=trigger_in_app_message.clicks`,
  );
  await page.locator('section[data-channel="trigger_in_app_message"]').waitFor();
  await page.locator('.chart canvas').waitFor();
  const campaign = join(dir, 'dashboard-campaign.png');
  await page.screenshot({ path: campaign, fullPage: true });
  await page
    .locator(
      'section[data-channel="trigger_in_app_message"] tr[data-variation="onboarding_a"] td[data-field="conversions"] button',
    )
    .click();
  await page.locator('.explain table.items tbody tr').first().waitFor();
  const explained = join(dir, 'dashboard-explain.png');
  await page.screenshot({ path: explained });
  await page.keyboard.press('Escape');
  await page.goto(`${baseUrl}/docs`);
  await page.locator('.opblock-tag-section').first().waitFor();
  const reference = join(dir, 'api-reference.png');
  await page.screenshot({ path: reference });
  await context.close();
  return [campaigns, campaign, explained, reference];
}
