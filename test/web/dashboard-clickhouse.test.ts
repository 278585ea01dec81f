/**
 * The dashboard served by an API process on the ClickHouse store: the multivariate campaign's
 * page equals the API's answer there too, and when ClickHouse stops (really stopped) the page
 * says the store is down and what to do, instead of showing a broken page.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { formatDay } from '../../src/domain/time.js';
import { openClickHouseStore } from '../../src/store/clickhouse/clickhouse-store.js';
import { launchChromium, signIn } from '../support/browser.js';
import { serveDemo, type ServedDemo } from '../support/served-demo.js';
import { startClickHouse, type ClickHouseNode } from '../support/services.js';
import { assertTableMatches, CHANNEL, MULTIVARIATE, series } from './campaign-page.js';

const END_DAY = Math.floor(Date.now() / 86_400_000);
const END = formatDay(END_DAY);

let clickhouse: ClickHouseNode;
let served: ServedDemo;
let baseUrl: string;
let key: string;
let browser: Browser;

describe('the dashboard on ClickHouse', () => {
  before(async () => {
    clickhouse = await startClickHouse();
    const store = await openClickHouseStore({ url: clickhouse.url, database: 'tally_dashboard' });
    served = await serveDemo(store, { seed: 11, endDay: END_DAY, events: 10_000 });
    ({ baseUrl, key } = served);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await served?.close();
    await clickhouse?.stop();
  });

  it('shows the multivariate campaign as the API answers it', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, baseUrl, key);
    await page.goto(`${baseUrl}/campaign/${MULTIVARIATE}?end=${END}&days=14`);
    await page.locator(`section[data-channel="${CHANNEL}"]`).waitFor();
    await assertTableMatches(page, await series({ baseUrl, key }, 14, END));
    await context.close();
  });

  it('says the store is down, and what to do, when ClickHouse stops', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, baseUrl, key);
    await clickhouse.stop();
    await page.reload();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    const text = await alert.innerText();
    assert.match(text, /Tally cannot answer right now: its store may be down/);
    assert.match(text, /\/readyz/);
    assert.equal(await page.getByRole('button', { name: 'Retry' }).count(), 1);
    await context.close();
  });
});
