/**
 * "What made this number" in a real browser over the demo: a table's number lists as many
 * items as it counts (page after page) with the API's rule, and downloads them; a rate and a
 * comparison list each figure they are computed from; a click on the chart explains that
 * point's day. Expected figures are the API's series answers summed here.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { formatDay } from '../../src/domain/time.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { accessibilityViolations, launchChromium, signIn } from '../support/browser.js';
import { serveDemo, type ServedDemo } from '../support/served-demo.js';
import {
  api as apiAs,
  CHANNEL,
  count,
  entrySum,
  MULTIVARIATE,
  series as seriesAs,
  type Day,
} from './campaign-page.js';

const END_DAY = Math.floor(Date.now() / 86_400_000);
const END = formatDay(END_DAY);
const DAYS = 30;

let dataDir: string;
let served: ServedDemo;
let browser: Browser;

const panel = (page: Page) => page.getByRole('dialog');
const cell = (page: Page, variation: string, field: string) =>
  page.locator(
    `section[data-channel="${CHANNEL}"] tr[data-variation="${variation}"] td[data-field="${field}"] button`,
  );

/** Clicks "Show more" until the whole list is on screen; the number of rows listed. */
async function listEverything(page: Page): Promise<number> {
  const more = panel(page).getByRole('button', { name: 'Show more' });
  for (;;) {
    await page.locator('.explain-foot [role="status"]:not(:has-text("Loading"))').waitFor();
    if ((await more.count()) === 0) break;
    await more.click();
  }
  return panel(page).locator('table.items tbody tr').count();
}

describe('explanations in the dashboard', () => {
  let days: Day[];
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tally-explain-web-'));
    const store = await openSqliteStore({ dataDir });
    served = await serveDemo(store, { seed: 11, endDay: END_DAY, events: 30_000 });
    browser = await launchChromium();
    days = await seriesAs(served, DAYS, END);
  });
  after(async () => {
    await browser?.close();
    await served?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const openCampaign = async (bypassCSP = false) => {
    const context = await browser.newContext({
      viewport: { width: 1400, height: 1000 },
      bypassCSP,
    });
    const page = await context.newPage();
    page.on('pageerror', (error) => assert.fail(`the page threw: ${error.message}`));
    await signIn(page, served.baseUrl, served.key);
    await page.goto(
      `${served.baseUrl}/campaign/${MULTIVARIATE}?end=${END}&days=${DAYS}&metric=${CHANNEL}.impressions`,
    );
    await page.locator(`section[data-channel="${CHANNEL}"]`).waitFor();
    return { context, page };
  };

  it('lists every event behind a table number, page by page, with the rule, and downloads them', async () => {
    const { context, page } = await openCampaign();
    const field = 'impressions';
    const expected = entrySum(days, 'onboarding_a', field);
    assert.ok(expected > 100, `more impressions than a page (${expected})`);
    assert.equal((await cell(page, 'onboarding_a', field).innerText()).trim(), count(expected));
    await cell(page, 'onboarding_a', field).click();
    await panel(page)
      .getByRole('heading', { name: /What made In-app message · Carousel · impressions/ })
      .waitFor();
    const firstDay = days.find((day) => {
      const entry = day.messages[CHANNEL]!.find((e) => e.variation_api_id === 'onboarding_a')!;
      return Number(entry[field]) > 0;
    })!.time;
    const answer = await apiAs<{ rule: string; items: { id: string }[] }>(
      served,
      '/campaigns/data_series/explain',
      {
        campaign_id: MULTIVARIATE,
        day: firstDay,
        metric: field,
        channel: CHANNEL,
        variation_api_id: 'onboarding_a',
      },
    );
    await panel(page).getByText(answer.rule).waitFor();
    assert.equal(await listEverything(page), expected);
    const firstRow = panel(page).locator('table.items tbody tr').first();
    assert.equal(await firstRow.locator('td').nth(4).innerText(), answer.items[0]!.id);
    assert.match(await panel(page).getByRole('status').innerText(), new RegExp(`of ${expected}`));

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      panel(page).getByRole('button', { name: 'Download list (CSV)' }).click(),
    ]);
    const lines = readFileSync((await download.path())!, 'utf8')
      .trim()
      .split('\r\n');
    assert.equal(
      lines[0],
      'day,id,event_type,user,time,send_id,after_id,after_time,behavior_index,usd,receipt_id,receipt_time,receipt_day',
    );
    assert.equal(lines.length - 1, expected);
    assert.equal(lines[1]!.split(',')[1], answer.items[0]!.id);

    await page.keyboard.press('Escape');
    await panel(page).waitFor({ state: 'detached' });
    await context.close();
  });

  it('explains a rate and a comparison by each figure they are computed from', async () => {
    const { context, page } = await openCampaign(true);
    await cell(page, 'onboarding_a', 'rate:click_rate').click();
    await panel(page).getByText('click rate = clicks / impressions').waitFor();
    await panel(page)
      .getByRole('tab', { name: /impressions/ })
      .click();
    const impressions = entrySum(days, 'onboarding_a', 'impressions');
    const status = panel(page).getByRole('status');
    await status.getByText(`of ${impressions}.`).waitFor();
    const shown = Number(/Showing (\d+)/.exec(await status.innerText())![1]);
    assert.ok(shown >= Math.min(100, impressions) && shown <= impressions, `${shown} shown`);
    assert.equal(await panel(page).locator('table.items tbody tr').count(), shown);
    assert.deepEqual(await accessibilityViolations(page), []);
    await panel(page).getByRole('button', { name: 'Close' }).click();

    await cell(page, 'onboarding_a', 'confidence:0').click();
    const tabs = await panel(page).getByRole('tab').allInnerTexts();
    assert.equal(tabs.length, 4);
    assert.match(tabs[3]!, /Control Group · enrolled/);
    await panel(page)
      .getByRole('tab', { name: /Control Group · enrolled/ })
      .click();
    const enrolled = entrySum(days, 'onboarding_cg', 'enrolled');
    assert.equal(await listEverything(page), enrolled);
    await context.close();
  });

  it('explains the chart point clicked: that line on that day', async () => {
    const { context, page } = await openCampaign();
    const over = page.locator('.chart .u-over');
    const box = (await over.boundingBox())!;
    await over.click({ position: { x: box.width - 2, y: box.height / 2 } });
    const title = await panel(page).getByRole('heading').innerText();
    const [, name, day] = /In-app message · (.+) · impressions on (\d{4}-\d{2}-\d{2})/.exec(title)!;
    assert.equal(day, END);
    const variation = name === 'Carousel' ? 'onboarding_a' : 'onboarding_b';
    const lastDay = days.filter((d) => d.time === END);
    assert.equal(await listEverything(page), entrySum(lastDay, variation, 'impressions'));
    await context.close();
  });
});
