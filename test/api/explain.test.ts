/**
 * The explain endpoints end to end: every figure of the series answers, day level and every
 * entry, explained over HTTP with `value` equal to the answer's figure and `total` to the items
 * over all pages; pages, permissions and every parameter error.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { currents } from '../support/events.js';
import { bearer, startHarness, type Harness } from './harness.js';

interface Explanation {
  message: string;
  metric: string;
  day: string;
  value: number;
  rule: string;
  total: number;
  items: { id?: string; user: string; time: string; usd?: number }[];
  next_page: number | null;
}

type Entry = Record<string, string | number>;
interface Day {
  time: string;
  messages: Record<string, Entry[]>;
  [figure: string]: unknown;
}

const DAY_FIGURES = ['unique_recipients', 'revenue', 'conversions', 'conversions_by_send_time'];
const LABELS = new Set(['variation_name', 'variation_api_id']);

describe('explain endpoints', () => {
  let h: Harness;
  const get = async (url: string, key = h.key) => {
    const response = await h.app.inject({ method: 'GET', url, headers: bearer(key) });
    return { status: response.statusCode, body: response.json() as Explanation };
  };

  before(async () => {
    h = await startHarness({
      timezone: 'Europe/Berlin',
      now: () => Date.parse('2026-01-10T12:00:00Z'),
    });
    await h.app.inject({
      method: 'POST',
      url: '/campaigns/define',
      headers: bearer(h.key),
      payload: {
        campaign_id: 'c1',
        channels: ['email', 'ios_push'],
        variations: [
          { id: 'v1', name: 'A' },
          { id: 'v2', name: 'B', push_buttons: ['Buy'] },
          { id: 'cg', name: 'Control', control: true },
        ],
        conversion_behaviors: [{ type: 'Makes Any Purchase', window: 86_400 }],
      },
    });
    const events: Record<string, unknown>[] = [];
    for (let i = 0; i < 30; i++) {
      const user = `u${i % 7}`;
      const variation = i % 3 === 0 ? 'v2' : 'v1';
      const at = Date.parse('2026-01-05T08:00:00Z') + i * 3 * 3_600_000;
      const send_id = i % 2 === 0 ? 'blast' : undefined;
      const message = { user, variation, ...(send_id ? { send_id } : {}) };
      events.push(currents('email.Send', { id: `s${i}`, at, ...message }));
      events.push(currents('email.Open', { id: `o${i}`, at: at + 60_000, ...message }));
      events.push(
        currents('pushnotification.Open', {
          id: `p${i}`,
          at: at + 90_000,
          platform: 'ios',
          button_string: i % 4 === 0 ? 'Buy' : '',
          ...message,
        }),
      );
      if (i % 5 === 0) {
        events.push(
          currents('users.campaigns.EnrollInControl', {
            id: `c${i}`,
            at,
            user: `k${i}`,
            variation: 'cg',
          }),
        );
      }
      events.push(
        currents('users.behaviors.Purchase', {
          id: `b${i}`,
          at: at + 2 * 3_600_000,
          user: i % 5 === 0 ? `k${i}` : user,
          campaign: null,
          product_id: 'sku',
          currency: 'USD',
          price: 1.1 + i,
        }),
      );
    }
    const stored = await h.app.inject({
      method: 'POST',
      url: '/events',
      headers: bearer(h.key),
      payload: events,
    });
    assert.equal(stored.statusCode, 200, stored.body);
  });
  after(() => h.close());

  /** Every numeric figure of a series answer, as explain query strings with the figure. */
  function figuresOf(days: Day[]): { query: string; value: number }[] {
    const out: { query: string; value: number }[] = [];
    for (const day of days) {
      for (const metric of DAY_FIGURES) {
        out.push({ query: `day=${day.time}&metric=${metric}`, value: day[metric] as number });
      }
      for (const [channel, entries] of Object.entries(day.messages)) {
        for (const entry of entries) {
          for (const [metric, value] of Object.entries(entry)) {
            if (LABELS.has(metric)) continue;
            const where = `channel=${channel}&variation_api_id=${entry.variation_api_id}`;
            out.push({
              query: `day=${day.time}&metric=${encodeURIComponent(metric)}&${where}`,
              value: value as number,
            });
          }
        }
      }
    }
    return out;
  }

  async function checkAll(series: string, explain: string): Promise<number> {
    const answer = await h.app.inject({ method: 'GET', url: series, headers: bearer(h.key) });
    const days = (answer.json() as { data: Day[] }).data;
    let nonZero = 0;
    for (const { query, value } of figuresOf(days)) {
      const { status, body } = await get(`${explain}&${query}&limit=1000`);
      assert.equal(status, 200, `${query}: ${JSON.stringify(body)}`);
      assert.equal(body.value, value, query);
      assert.equal(body.total, body.items.length, query);
      if (body.metric === 'revenue') {
        const sum = body.items.reduce((s, item) => s + item.usd!, 0);
        assert.ok(Math.abs(sum - value) < 1e-9, `${query}: ${sum} ≠ ${value}`);
      } else {
        assert.equal(body.total, value, query);
      }
      assert.ok(body.rule.length > 20, `${query}: a rule`);
      if (value !== 0) nonZero += 1;
    }
    return nonZero;
  }

  it('explains every figure of a campaign series with its value and as many items', async () => {
    const nonZero = await checkAll(
      '/campaigns/data_series?campaign_id=c1&length=8&ending_at=2026-01-10',
      '/campaigns/data_series/explain?campaign_id=c1',
    );
    assert.ok(nonZero > 60, `${nonZero} non-zero figures`);
  });

  it('explains every figure of a send series', async () => {
    const nonZero = await checkAll(
      '/sends/data_series?campaign_id=c1&send_id=blast&length=8&ending_at=2026-01-10',
      '/sends/data_series/explain?campaign_id=c1&send_id=blast',
    );
    assert.ok(nonZero > 30, `${nonZero} non-zero figures`);
  });

  it('pages through the items, oldest first', async () => {
    const base =
      '/campaigns/data_series/explain?campaign_id=c1&day=2026-01-06&metric=sent&channel=email&variation_api_id=v1';
    const whole = (await get(`${base}&limit=1000`)).body;
    assert.ok(whole.total >= 5);
    const pages: Explanation[] = [];
    for (let page: number | null = 0; page !== null; page = pages.at(-1)!.next_page) {
      pages.push((await get(`${base}&limit=2&page=${page}`)).body);
    }
    assert.equal(pages.length, Math.ceil(whole.total / 2));
    assert.ok(pages.every((p) => p.total === whole.total && p.items.length <= 2));
    assert.deepEqual(
      pages.flatMap((p) => p.items),
      whole.items,
    );
    const times = whole.items.map((item) => item.time);
    assert.deepEqual(times, [...times].sort());
    const past = (await get(`${base}&limit=2&page=99`)).body;
    assert.deepEqual([past.items, past.next_page], [[], null]);
  });

  it('names the wrong parameter with a 400', async () => {
    const base = '/campaigns/data_series/explain?campaign_id=c1&day=2026-01-06';
    const cases: [string, RegExp][] = [
      [`${base}&metric=nope`, /^metric "nope"/],
      [`${base}&metric=sent&channel=email&variation_api_id=v1x`, /^variation_api_id "v1x"/],
      [`${base}&metric=sent&channel=sms&variation_api_id=v1`, /^channel "sms"/],
      [`${base}&metric=sent&channel=email`, /^variation_api_id is missing/],
      [`${base}&metric=nope&channel=email&variation_api_id=v1`, /^metric "nope"/],
      [`${base}&metric=enrolled&channel=email&variation_api_id=v1`, /^metric "enrolled"/],
      [
        '/campaigns/data_series/explain?campaign_id=zz&day=2026-01-06&metric=revenue',
        /^campaign_id "zz"/,
      ],
      [
        '/campaigns/data_series/explain?campaign_id=c1&day=2026-02-30&metric=revenue',
        /^day "2026-02-30"/,
      ],
      ['/campaigns/data_series/explain?campaign_id=c1&day=today&metric=revenue', /day/],
      [`${base}&metric=revenue&limit=1001`, /limit/],
      [
        '/sends/data_series/explain?campaign_id=c1&send_id=nope&day=2026-01-06&metric=revenue',
        /^send_id "nope"/,
      ],
    ];
    for (const [url, message] of cases) {
      const { status, body } = await get(url);
      assert.equal(status, 400, url);
      assert.match(body.message, message, url);
    }
  });

  it('asks for the series permission of each endpoint', async () => {
    const sendsOnly = await h.keyWith(['sends.data_series']);
    const campaignUrl =
      '/campaigns/data_series/explain?campaign_id=c1&day=2026-01-06&metric=revenue';
    assert.equal((await get(campaignUrl, sendsOnly)).status, 403);
    const campaignsOnly = await h.keyWith(['campaigns.data_series']);
    const sendUrl =
      '/sends/data_series/explain?campaign_id=c1&send_id=blast&day=2026-01-06&metric=revenue';
    assert.equal((await get(sendUrl, campaignsOnly)).status, 403);
    assert.equal((await get(sendUrl, sendsOnly)).status, 200);
  });
});
