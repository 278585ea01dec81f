/**
 * The dashboard in a real browser (Debian's Chromium, playwright-core) against a real server
 * over a real SQLite store holding the demo's campaigns: every number on screen is compared
 * with the API's answer for the same range, the rates and confidence with SPEC §8 computed
 * here from that answer (test/support/spec8.ts). Failures the user must understand (bad key,
 * missing permission, no data, a store that is down) each show their message.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createApiKey } from '../../src/api/keys.js';
import { PERMISSIONS } from '../../src/domain/permissions.js';
import { formatDay } from '../../src/domain/time.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { accessibilityViolations, launchChromium, signIn } from '../support/browser.js';
import { serveDemo, type ServedDemo } from '../support/served-demo.js';
import {
  api as apiAs,
  assertTableMatches,
  CHANNEL,
  count,
  daySum,
  entrySum,
  headline,
  MULTIVARIATE,
  series as seriesAs,
  type Day,
} from './campaign-page.js';
import { takeDashboardScreenshots } from './screenshots.js';

const END_DAY = Math.floor(Date.now() / 86_400_000);
const END = formatDay(END_DAY);

let dataDir: string;
let store: Store;
let served: ServedDemo;
let baseUrl: string;
let key: string;
let browser: Browser;

const api = <T>(path: string, params: Record<string, string | number>): Promise<T> =>
  apiAs<T>({ baseUrl, key }, path, params);
const series = (days: number): Promise<Day[]> => seriesAs({ baseUrl, key }, days, END);

async function openContext(bypassCSP = false): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, bypassCSP });
  const page = await context.newPage();
  page.on('pageerror', (error) => assert.fail(`the page threw: ${error.message}`));
  return { context, page };
}

describe('the dashboard in Chromium', () => {
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tally-web-'));
    store = await openSqliteStore({ dataDir });
    served = await serveDemo(store, { seed: 7, endDay: END_DAY, events: 30_000 });
    ({ baseUrl, key } = served);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await served?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses a bad key with a message, and never puts the key in a URL', async () => {
    const { context, page } = await openContext();
    const urls: string[] = [];
    page.on('request', (request) => urls.push(request.url()));
    await page.goto(`${baseUrl}/`);
    await page.getByLabel('API key').fill('tly_not_a_key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('This key was refused').waitFor();
    await signIn(page, baseUrl, key);
    assert.ok(urls.length > 3);
    for (const url of urls) assert.ok(!url.includes(key) && !url.includes('tly_'), url);
    const stored = await page.evaluate('sessionStorage.getItem("tally.key")');
    assert.equal(stored, key);
    assert.equal(await page.evaluate('localStorage.length'), 0);
    await context.close();
  });

  it('lists every campaign with its channels, last sent day and 30-day sends', async () => {
    const { context, page } = await openContext();
    await signIn(page, baseUrl, key);
    const { campaigns } = await api<{ campaigns: { id: string }[] }>('/campaigns/list', {});
    await page.getByText(`${campaigns.length} of ${campaigns.length} campaigns`).waitFor();
    assert.equal(await page.locator('table.campaigns tbody tr').count(), campaigns.length);
    const row = page.locator(`tr[data-campaign="${MULTIVARIATE}"]`);
    await row.locator('.spark').waitFor();
    const last30 = await api<{ data: Day[] }>('/campaigns/data_series', {
      campaign_id: MULTIVARIATE,
      length: 30,
    });
    const impressions = last30.data.reduce(
      (sum, day) =>
        sum + day.messages[CHANNEL]!.reduce((s, e) => s + Number(e.impressions ?? 0), 0),
      0,
    );
    assert.equal((await row.locator('.spark').innerText()).trim(), count(impressions));
    assert.match(await row.innerText(), /In-app message/);
    await page.getByLabel('Search by name or id').fill('onboarding');
    await page.getByText(`1 of ${campaigns.length} campaigns`).waitFor();
    assert.equal(await page.locator('table.campaigns tbody tr').count(), 1);
    assert.match(page.url(), /q=onboarding/);
    await context.close();
  });

  it('shows the multivariate campaign exactly as the API answers it, through metric and range changes', async () => {
    const { context, page } = await openContext();
    await signIn(page, baseUrl, key);
    await page.getByRole('link', { name: 'Onboarding tips (A/B test)' }).click();
    await page.waitForURL(`**/campaign/${MULTIVARIATE}`);
    await page.locator('.chart canvas').waitFor();
    await page.evaluate(() => Object.assign(globalThis, { keptAcrossChanges: true }));

    await page.getByLabel('ending', { exact: true }).fill(END);
    await page.waitForURL(/end=/);
    await page.locator(`section[data-channel="${CHANNEL}"]`).waitFor();
    const thirty = await series(30);
    await assertTableMatches(page, thirty);
    assert.equal(
      await headline(page, 'unique_recipients'),
      count(daySum(thirty, 'unique_recipients')),
    );
    const revenue = daySum(thirty, 'revenue');
    assert.equal(
      await headline(page, 'revenue'),
      revenue.toLocaleString('en-US', { style: 'currency', currency: 'USD' }),
    );

    await page.getByLabel('Figure to chart').selectOption(`${CHANNEL}.conversions`);
    await page.waitForURL(/metric=trigger_in_app_message.conversions/);
    const legend = await page.locator('.u-legend').innerText();
    for (const name of ['Carousel', 'Single card', 'Control Group'])
      assert.match(legend, new RegExp(name));
    // Hovering the last day shows that day's values: the API's conversions of the variation.
    const box = (await page.locator('.chart .u-over').boundingBox())!;
    await page.mouse.move(box.x + box.width - 1, box.y + box.height / 2);
    const lastDay = thirty[thirty.length - 1]!;
    const carousel = lastDay.messages[CHANNEL]!.find((e) => e.variation_api_id === 'onboarding_a')!;
    await page
      .locator('.u-legend .u-series', { hasText: 'Carousel' })
      .locator('.u-value')
      .filter({ hasText: new RegExp(`^${count(Number(carousel.conversions))}$`) })
      .waitFor();
    assert.match(await page.locator('.u-legend').innerText(), new RegExp(lastDay.time));

    await page.getByLabel('Days shown').selectOption('7');
    await page.waitForURL(/days=7/);
    const seven = await series(7);
    await page
      .locator(`tr[data-variation="onboarding_a"] td[data-field="impressions"]`)
      .filter({ hasText: count(entrySum(seven, 'onboarding_a', 'impressions')) })
      .waitFor();
    await assertTableMatches(page, seven);
    assert.equal(await page.evaluate(() => 'keptAcrossChanges' in globalThis), true);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download series (CSV)' }).click(),
    ]);
    const csvResponse = await fetch(
      `${baseUrl}/campaigns/data_series?campaign_id=${MULTIVARIATE}&length=7&ending_at=${END}T12:00:00&format=csv`,
      { headers: { authorization: `Bearer ${key}` } },
    );
    assert.equal(readFileSync((await download.path())!, 'utf8'), await csvResponse.text());

    const [table] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download In-app message table (CSV)' }).click(),
    ]);
    const lines = readFileSync((await table.path())!, 'utf8')
      .trim()
      .split('\r\n');
    assert.equal(lines.length, 4);
    assert.match(
      lines[1]!,
      new RegExp(`^Carousel,onboarding_a,${entrySum(seven, 'onboarding_a', 'impressions')},`),
    );
    await context.close();
  });

  it('lists the send ids of the API campaign, each with its 14-day series', async () => {
    const { context, page } = await openContext();
    await signIn(page, baseUrl, key);
    await page.goto(`${baseUrl}/campaign/demo_price_alerts?end=${END}`);
    const { sends } = await api<{ sends: { send_id: string }[] }>('/sends/list', {
      campaign_id: 'demo_price_alerts',
    });
    assert.ok(sends.length > 0);
    const last = sends[sends.length - 1]!.send_id;
    await page.getByRole('button', { name: last, exact: true }).click();
    await page.waitForURL(new RegExp(`send=${encodeURIComponent(last)}`));
    const panel = page.locator(`.send-series[data-send="${last}"]`);
    await panel.locator('canvas').waitFor();
    assert.match(await panel.innerText(), new RegExp(`Send ${last}`));
    await context.close();
  });

  it('says so when a range has no data, and offers the last days it sent', async () => {
    const { context, page } = await openContext();
    await signIn(page, baseUrl, key);
    await page.goto(`${baseUrl}/campaign/${MULTIVARIATE}?end=2020-01-31&days=7`);
    await page.getByText('No events in the 7 days ending 2020-01-31.').waitFor();
    await page.getByRole('button', { name: /^Show the 7 days ending/ }).click();
    await page.waitForURL(/end=\d{4}-\d{2}-\d{2}/);
    await page.getByText('No events in the 7 days').waitFor({ state: 'detached' });
    assert.notEqual(await headline(page, 'sent'), '0');
    await context.close();
  });

  it('tells a key without a permission what it cannot see', async () => {
    const workspace = (await store.findWorkspaceByName('demo'))!;
    const listOnly = await createApiKey(store, workspace.id, ['campaigns.list']);
    const { context, page } = await openContext();
    await signIn(page, baseUrl, listOnly);
    await page
      .getByText(
        'This key lacks campaigns.details and campaigns.data_series: some columns stay empty.',
      )
      .waitFor();
    await page.getByRole('link', { name: 'Spring sale' }).click();
    await page.getByText('This key lacks the campaigns.details permission').waitFor();
    await page.getByText('This key lacks the campaigns.data_series permission').waitFor();
    await context.close();
  });

  it('pages through thousands of campaigns and finds any of them', async () => {
    const many = await store.createWorkspace('many', 'UTC');
    const total = 2_345;
    for (let i = 0; i < total; i++) {
      await store.defineCampaign(many.id, {
        campaign_id: `c${String(i).padStart(4, '0')}`,
        name: `Campaign number ${i}`,
        tags: [i % 2 === 0 ? 'even' : 'odd'],
        channels: ['email'],
      });
    }
    await store.defineCampaign(many.id, {
      campaign_id: 'retired',
      name: 'Retired campaign',
      archived: true,
      channels: ['sms'],
    });
    const manyKey = await createApiKey(store, many.id, PERMISSIONS);
    const { context, page } = await openContext();
    await signIn(page, baseUrl, manyKey);
    await page.getByText(`${count(total)} of ${count(total)} campaigns`).waitFor();
    assert.equal(await page.locator('table.campaigns tbody tr').count(), 50);
    const pages = Math.ceil(total / 50);
    await page.getByRole('button', { name: String(pages), exact: true }).click();
    await page.waitForURL(new RegExp(`page=${pages}`));
    // Newest first: the last page holds the first campaigns defined.
    assert.equal(await page.locator('table.campaigns tbody tr').count(), total - (pages - 1) * 50);
    await page.locator('tr[data-campaign="c0000"]').waitFor();
    await page.getByLabel('Tag').selectOption('odd');
    await page.getByText(`${count((total - 1) / 2)} of ${count(total)} campaigns`).waitFor();
    await page.getByLabel('Search by name or id').fill('c1235');
    await page.getByText(`1 of ${count(total)} campaigns`).waitFor();
    await page.locator('tr[data-campaign="c1235"]').waitFor();
    // Archived campaigns stay behind the toggle.
    await page.goto(`${baseUrl}/?q=retired`);
    await page.getByText('No campaign matches.').waitFor();
    await page.getByLabel('Show archived').check();
    await page.waitForURL(/archived=1/);
    const retired = page.locator('tr[data-campaign="retired"]');
    await retired.locator('.badge', { hasText: 'archived' }).waitFor();
    await page.getByText(`1 of ${count(total + 1)} campaigns`).waitFor();
    await context.close();
  });

  it('is usable from the keyboard and passes axe-core checks', async () => {
    const { context, page } = await openContext(true);
    await signIn(page, baseUrl, key);
    await page.locator(`tr[data-campaign="${MULTIVARIATE}"] .spark`).waitFor();
    assert.deepEqual(await accessibilityViolations(page), []);
    let focused = '';
    for (let i = 0; i < 40 && !focused.endsWith(`/campaign/${MULTIVARIATE}`); i++) {
      await page.keyboard.press('Tab');
      focused = String(await page.evaluate('document.activeElement.href ?? ""'));
    }
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/campaign/${MULTIVARIATE}`);
    await page.locator(`section[data-channel="${CHANNEL}"]`).waitFor();
    assert.deepEqual(await accessibilityViolations(page), []);
    await context.close();
  });

  it('makes the screenshots the docs show', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tally-shots-'));
    try {
      const files = await takeDashboardScreenshots(browser, baseUrl, key, dir, END);
      for (const file of files) assert.ok(statSync(file).size > 20_000, file);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
