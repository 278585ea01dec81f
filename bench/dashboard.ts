/**
 * The dashboard in Chromium on the demo (1,000,000 events by default): how long after navigation
 * the largest campaign's page shows its first chart, and how long a range change takes to redraw,
 * beside two figures of the same run: the page shell (the same page and assets, signed out, so
 * no data is asked for: the browser's floor) and the API's own time for the series request the
 * page makes. Also the size of the page's JavaScript, gzipped, as served.
 *
 * Each navigation ends on another day, so no series answer is served from the server's cache.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { DASHBOARD_ROOT } from '../src/api/dashboard.js';
import { formatDay } from '../src/domain/time.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { launchChromium } from '../test/support/browser.js';
import { percentile } from './latency.js';
import { serveDemo, type ServedDemo } from '../test/support/served-demo.js';

export interface DashboardFigures {
  readonly events: number;
  readonly campaignId: string;
  readonly firstChart: Percentiles;
  readonly shell: Percentiles;
  readonly seriesRequest: Percentiles;
  readonly redraw: Percentiles;
  readonly scriptGzipBytes: number;
  readonly styleGzipBytes: number;
}

export interface Percentiles {
  readonly p50: number;
  readonly p99: number;
}

const NAVIGATIONS = 30;
const REDRAWS = 40;
const DAY_MS = 86_400_000;

const percentiles = (samples: readonly number[]): Percentiles => ({
  p50: percentile(samples, 50),
  p99: percentile(samples, 99),
});

/** ms from navigation start to the first `tally:chart` mark (TimeChart paints it). */
const FIRST_CHART = `new Promise((resolve) => {
  const found = () => performance.getEntriesByName('tally:chart')[0];
  if (found()) return resolve(found().startTime);
  new PerformanceObserver((list, observer) => {
    const mark = list.getEntriesByName('tally:chart')[0];
    if (mark) { observer.disconnect(); resolve(mark.startTime); }
  }).observe({ type: 'mark', buffered: true });
})`;

/** Changes the range (the days select) and resolves with the ms until the chart is repainted. */
const REDRAW = (days: number) => `new Promise((resolve) => {
  const started = performance.now();
  new PerformanceObserver((list, observer) => {
    const mark = list.getEntriesByName('tally:chart').find((m) => m.startTime > started);
    if (mark) { observer.disconnect(); resolve(mark.startTime - started); }
  }).observe({ type: 'mark' });
  const select = document.querySelector('select[aria-label="Days shown"]');
  select.value = '${days}';
  select.dispatchEvent(new Event('change', { bubbles: true }));
})`;

const SERIES_REQUEST = `performance.getEntriesByType('resource')
  .filter((entry) => entry.name.includes('/campaigns/data_series'))
  .map((entry) => entry.responseEnd - entry.startTime)[0]`;

function gzippedAssets(): { script: number; style: number } {
  const dir = join(DASHBOARD_ROOT, 'assets');
  const size = (suffix: string) =>
    readdirSync(dir)
      .filter((file) => file.endsWith(suffix))
      .reduce((sum, file) => sum + gzipSync(readFileSync(join(dir, file))).length, 0);
  return { script: size('.js'), style: size('.css') };
}

async function signedInPage(page: Page, baseUrl: string, key: string): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.evaluate(`sessionStorage.setItem('tally.key', ${JSON.stringify(key)})`);
}

export async function benchDashboard(events: number): Promise<DashboardFigures> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tally-bench-dashboard-'));
  const endDay = Math.floor(Date.now() / DAY_MS);
  console.error(`dashboard: loading the demo (${events.toLocaleString('en-US')} events)...`);
  const served = await serveDemo(await openSqliteStore({ dataDir }), { seed: 1, endDay, events });
  const browser = await launchChromium();
  try {
    return await measure(browser, served, endDay, events);
  } finally {
    await browser.close();
    await served.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function measure(
  browser: Browser,
  { baseUrl, key }: ServedDemo,
  endDay: number,
  events: number,
): Promise<DashboardFigures> {
  const campaignId = await largestCampaign(baseUrl, key);
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  const page = await context.newPage();
  // The shell: the same page and assets without a key, so no data request is made.
  const shell: number[] = [];
  for (let i = 0; i < NAVIGATIONS; i++) {
    await page.goto(`${baseUrl}/`);
    await page.getByLabel('API key').waitFor();
    shell.push(Number(await page.evaluate('performance.now()')));
  }
  await signedInPage(page, baseUrl, key);
  const firstChart: number[] = [];
  const seriesRequest: number[] = [];
  for (let i = 0; i < NAVIGATIONS; i++) {
    const end = formatDay(endDay - i);
    await page.goto(`${baseUrl}/campaign/${campaignId}?end=${end}&days=30`);
    firstChart.push(Number(await page.evaluate(FIRST_CHART)));
    seriesRequest.push(Number(await page.evaluate(SERIES_REQUEST)));
  }
  const redraw: number[] = [];
  await page.goto(`${baseUrl}/campaign/${campaignId}?end=${formatDay(endDay)}&days=30`);
  await page.evaluate(FIRST_CHART);
  const lengths = [7, 14, 60, 90, 100, 30];
  for (let i = 0; i < REDRAWS; i++) {
    redraw.push(Number(await page.evaluate(REDRAW(lengths[i % lengths.length]!))));
  }
  await context.close();
  const assets = gzippedAssets();
  return {
    events,
    campaignId,
    firstChart: percentiles(firstChart),
    shell: percentiles(shell),
    seriesRequest: percentiles(seriesRequest),
    redraw: percentiles(redraw),
    scriptGzipBytes: assets.script,
    styleGzipBytes: assets.style,
  };
}

/** The campaign with the most messages sent over the demo's days, read through the API. */
async function largestCampaign(baseUrl: string, key: string): Promise<string> {
  const headers = { authorization: `Bearer ${key}` };
  const list = (await (await fetch(`${baseUrl}/campaigns/list`, { headers })).json()) as {
    campaigns: { id: string }[];
  };
  let largest = { id: '', size: -1 };
  for (const { id } of list.campaigns) {
    const answer = (await (
      await fetch(`${baseUrl}/campaigns/data_series?campaign_id=${id}&length=100`, { headers })
    ).json()) as { data: { messages: Record<string, Record<string, unknown>[]> }[] };
    let size = 0;
    for (const day of answer.data) {
      for (const entries of Object.values(day.messages)) {
        for (const entry of entries) {
          for (const value of Object.values(entry)) if (typeof value === 'number') size += value;
        }
      }
    }
    if (size > largest.size) largest = { id, size };
  }
  return largest.id;
}
