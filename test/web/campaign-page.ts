/**
 * What the browser tests read off the multivariate demo campaign's page, and what they expect
 * there: the API's answer summed here (not by the app's code) and SPEC §8 from test/support/spec8.ts.
 */
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { expectedConfidence } from '../support/spec8.js';

export const MULTIVARIATE = 'demo_onboarding_tips';
export const CHANNEL = 'trigger_in_app_message';
const CONTROL = 'onboarding_cg';

type Entry = Record<string, string | number>;
export interface Day {
  time: string;
  messages: Record<string, Entry[]>;
  [figure: string]: unknown;
}

/** The server and key a test reads the API with. */
export interface ApiAccess {
  readonly baseUrl: string;
  readonly key: string;
}

export async function api<T>(
  access: ApiAccess,
  path: string,
  params: Record<string, string | number>,
): Promise<T> {
  const query = new URLSearchParams(
    Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]),
  );
  const response = await fetch(`${access.baseUrl}${path}?${query}`, {
    headers: { authorization: `Bearer ${access.key}` },
  });
  assert.equal(response.status, 200, `${path} answered ${response.status}`);
  return (await response.json()) as T;
}

export const series = async (access: ApiAccess, days: number, end: string): Promise<Day[]> =>
  (
    await api<{ data: Day[] }>(access, '/campaigns/data_series', {
      campaign_id: MULTIVARIATE,
      length: days,
      ending_at: `${end}T12:00:00`,
    })
  ).data;

/** One entry's field summed over the days, written out here rather than taken from the app. */
export function entrySum(days: readonly Day[], variation: string, field: string): number {
  let sum = 0;
  for (const day of days) {
    const entry = day.messages[CHANNEL]!.find((e) => e.variation_api_id === variation)!;
    sum += Number(entry[field] ?? 0);
  }
  return sum;
}

export const daySum = (days: readonly Day[], field: string): number =>
  days.reduce((sum, day) => sum + Number(day[field]), 0);

export const percent = (value: number | null): string =>
  value === null ? '–' : `${(value * 100).toFixed(1)}%`;
export const count = (value: number): string => value.toLocaleString('en-US');

export async function cellText(page: Page, variation: string, field: string): Promise<string> {
  const cell = page.locator(
    `section[data-channel="${CHANNEL}"] tr[data-variation="${variation}"] td[data-field="${field}"]`,
  );
  return (await cell.innerText()).trim();
}

/** Every figure of the channel table against the API's sums and SPEC §8. */
export async function assertTableMatches(page: Page, days: readonly Day[]): Promise<void> {
  const behaviors = 2;
  const enrolled = entrySum(days, CONTROL, 'enrolled');
  for (const variation of ['onboarding_a', 'onboarding_b']) {
    for (const field of ['impressions', 'clicks', 'first_button_clicks', 'second_button_clicks']) {
      assert.equal(await cellText(page, variation, field), count(entrySum(days, variation, field)));
    }
    const impressions = entrySum(days, variation, 'impressions');
    const clicks = entrySum(days, variation, 'clicks');
    assert.equal(
      await cellText(page, variation, 'rate:click_rate'),
      percent(impressions > 0 ? clicks / impressions : null),
    );
    const recipients = entrySum(days, variation, 'unique_recipients');
    assert.equal(await cellText(page, variation, 'unique_recipients'), count(recipients));
    for (let index = 0; index < behaviors; index++) {
      const field = index === 0 ? 'conversions' : `conversions${index}`;
      const c1 = entrySum(days, variation, field);
      const c0 = entrySum(days, CONTROL, field);
      assert.equal(await cellText(page, variation, field), count(c1));
      assert.equal(
        await cellText(page, variation, `conversion_rate:${index}`),
        percent(recipients > 0 ? c1 / recipients : null),
      );
      const confidence = expectedConfidence(c1, recipients, c0, enrolled);
      const winner = confidence !== null && confidence >= 0.95 && c1 / recipients > c0 / enrolled;
      assert.equal(
        await cellText(page, variation, `confidence:${index}`),
        `${percent(confidence)}${winner ? ' ★ winner' : ''}`,
      );
      const lift = c0 > 0 ? (c1 / recipients - c0 / enrolled) / (c0 / enrolled) : null;
      const liftText = lift === null ? '–' : `${lift >= 0 ? '+' : ''}${(lift * 100).toFixed(1)}%`;
      assert.equal(await cellText(page, variation, `lift:${index}`), liftText);
    }
  }
  assert.equal(await cellText(page, CONTROL, 'unique_recipients'), count(enrolled));
  assert.equal(
    await cellText(page, CONTROL, 'conversion_rate:0'),
    percent(enrolled > 0 ? entrySum(days, CONTROL, 'conversions') / enrolled : null),
  );
}

export async function headline(page: Page, figure: string): Promise<string> {
  return (await page.locator(`.headline [data-figure="${figure}"] strong`).innerText()).trim();
}

/** `bypassCSP`: only to inject axe-core, which the page's own policy rightly refuses. */
