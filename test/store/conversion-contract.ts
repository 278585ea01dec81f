/**
 * Conversions and revenue (SPEC §3, §4) that every Store must compute, written only against the
 * Store interface so the ClickHouse store can run it too:
 *
 *   conversionContract('sqlite', () => openSqliteStore({ dataDir: freshTempDir() }));
 *
 * Each test works in a fresh workspace; expectations are computed by hand in the comments.
 * T = 2026-01-05T23:30:00Z, so a behavior one hour on lands on the next day, which separates
 * `conversions` (day of the behavior) from `conversions_by_send_time` (day of the receipt).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { ConversionBehavior } from '../../src/domain/campaign.js';
import type { NormalizedEvent } from '../../src/domain/event.js';
import type { SeriesCell } from '../../src/domain/series.js';
import { formatDay, parseDay } from '../../src/domain/time.js';
import type { DayRange, Store } from '../../src/store/store.js';
import { event, type EventSpec } from '../support/events.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const T = Date.parse('2026-01-05T23:30:00Z');
const RANGE: DayRange = { firstDay: parseDay('2026-01-01')!, lastDay: parseDay('2026-02-28')! };

/** Only conversion and revenue cells, as `{ 'YYYY-MM-DD channel variation metric': value }`. */
function credits(cells: readonly SeriesCell[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of cells) {
    if (!c.metric.startsWith('conversions') && c.metric !== 'revenue') continue;
    out[`${formatDay(c.day)} ${c.channel ?? '-'} ${c.variationId ?? '-'} ${c.metric}`] = c.value;
  }
  return out;
}

const send = (id: string, atMs: number, user: string, extra: Partial<EventSpec> = {}) =>
  event('email.Send', { id, at: atMs, user, ...extra });
const push = (id: string, atMs: number, user: string, extra: Partial<EventSpec> = {}) =>
  event('pushnotification.Send', { id, at: atMs, user, platform: 'ios', ...extra });
const enrol = (id: string, atMs: number, user: string) =>
  event('users.campaigns.EnrollInControl', { id, at: atMs, user, variation: 'cg' });
const custom = (id: string, atMs: number, user: string, name = 'signup') =>
  event('users.behaviors.CustomEvent', { id, at: atMs, user, campaign: null, name });
const purchase = (id: string, atMs: number, user: string, fields: Record<string, unknown>) =>
  event('users.behaviors.Purchase', {
    id,
    at: atMs,
    user,
    campaign: null,
    product_id: 'sku',
    currency: 'USD',
    ...fields,
  });

const SIGNUP_HOUR: ConversionBehavior = {
  type: 'Performs Custom Event',
  custom_event_name: 'signup',
  window: 3600,
};

export function conversionContract(name: string, openStore: () => Promise<Store>): void {
  describe(`Conversion contract: ${name}`, () => {
    let store: Store;
    let count = 0;
    before(async () => {
      store = await openStore();
    });
    after(async () => {
      await store.close();
    });

    const workspace = async (timezone = 'UTC'): Promise<string> => {
      count += 1;
      const unique = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
      return (await store.createWorkspace(`conversions-${count}-${unique}`, timezone)).id;
    };
    const define = (ws: string, behaviors: ConversionBehavior[], control = false) =>
      store.defineCampaign(ws, {
        campaign_id: 'c1',
        channels: ['email', 'ios_push'],
        variations: [
          { id: 'v1', name: 'V1' },
          ...(control ? [{ id: 'cg', name: 'Control', control: true }] : []),
        ],
        conversion_behaviors: behaviors,
      });
    const series = async (ws: string) => credits(await store.campaignSeries(ws, 'c1', RANGE));
    const sendSeries = async (ws: string, sendId: string) =>
      credits(await store.sendSeries(ws, 'c1', sendId, RANGE));

    it('credits τ = r and τ = r + window, not after, not before, and moves with the zone', async () => {
      const ws = await workspace();
      await define(ws, [SIGNUP_HOUR]);
      await store.ingest(ws, [
        send('s1', T, 'u1'),
        custom('b1', T, 'u1'), // τ = r: converts on 01-05
        send('s2', T, 'u2'),
        custom('b2', T + HOUR, 'u2'), // τ = r + window: converts on 01-06
        send('s3', T, 'u3'),
        custom('b3', T + HOUR + 1, 'u3'), // 1 ms too late
        send('s4', T, 'u4'),
        custom('b4', T - 1, 'u4'), // 1 ms before the receipt
      ]);
      // Day level (- -) equals the single email entry; by send time all on the receipts' day.
      const expected = (first: string, second: string) => ({
        [`${first} email v1 conversions`]: 1,
        [`${second} email v1 conversions`]: 1,
        [`${first} email v1 conversions_by_send_time`]: 2,
        [`${first} - - conversions`]: 1,
        [`${second} - - conversions`]: 1,
        [`${first} - - conversions_by_send_time`]: 2,
      });
      assert.deepEqual(await series(ws), expected('2026-01-05', '2026-01-06'));
      // Berlin is UTC+1: 23:30Z and 00:30Z are 00:30 and 01:30 on 01-06, so all is on 01-06.
      await store.setTimezone(ws, 'Europe/Berlin');
      assert.deepEqual(await series(ws), {
        '2026-01-06 email v1 conversions': 2,
        '2026-01-06 email v1 conversions_by_send_time': 2,
        '2026-01-06 - - conversions': 2,
        '2026-01-06 - - conversions_by_send_time': 2,
      });
    });

    it('credits a receipt once per behavior; a re-receipt opens a new window', async () => {
      const ws = await workspace();
      await define(ws, [SIGNUP_HOUR, { ...SIGNUP_HOUR, window: 7200 }]);
      await store.ingest(ws, [
        send('s1', T, 'u1'),
        custom('b1', T + MINUTE, 'u1'), // converts s1 for A and B
        custom('b2', T + 2 * MINUTE, 'u1'), // s1 already credited for both
        send('s2', T + 10 * MINUTE, 'u1'),
        custom('b3', T + 20 * MINUTE, 'u1'), // s2 is the most recent: converts it for A and B
      ]);
      // All behaviors are on 01-05 (23:31 .. 23:50), receipts too.
      const day = '2026-01-05';
      assert.deepEqual(await series(ws), {
        [`${day} email v1 conversions`]: 2,
        [`${day} email v1 conversions1`]: 2,
        [`${day} email v1 conversions_by_send_time`]: 2,
        [`${day} email v1 conversions1_by_send_time`]: 2,
        [`${day} - - conversions`]: 2,
        [`${day} - - conversions1`]: 2,
        [`${day} - - conversions_by_send_time`]: 2,
        [`${day} - - conversions1_by_send_time`]: 2,
      });
    });

    it('counts one conversion per channel, and control users against their enrolment', async () => {
      const ws = await workspace();
      await define(ws, [SIGNUP_HOUR], true);
      await store.ingest(ws, [
        send('s1', T - 2 * HOUR, 'u1'), // too old for the window: does not convert
        send('s2', T, 'u1'),
        push('p1', T + MINUTE, 'u1'),
        custom('b1', T + 5 * MINUTE, 'u1'), // converts s2 (email) and p1 (ios_push)
        enrol('e1', T, 'u2'),
        custom('b2', T + 5 * MINUTE, 'u2'), // converts the enrolment: control entry only
      ]);
      const day = '2026-01-05';
      assert.deepEqual(await series(ws), {
        [`${day} email v1 conversions`]: 1,
        [`${day} email v1 conversions_by_send_time`]: 1,
        [`${day} ios_push v1 conversions`]: 1,
        [`${day} ios_push v1 conversions_by_send_time`]: 1,
        [`${day} - - conversions`]: 2,
        [`${day} - - conversions_by_send_time`]: 2,
        [`${day} - cg conversions`]: 1,
        [`${day} - cg conversions_by_send_time`]: 1,
      });
    });

    it('sums revenue with quantity, once per level, and prices a currency once it has a rate', async () => {
      const ws = await workspace();
      await define(ws, [{ type: 'Makes Any Purchase', window: 86_400 }], true);
      await store.ingest(ws, [
        send('s1', T, 'u1'),
        push('p1', T, 'u1'),
        purchase('m1', T + HOUR, 'u1', { price: 2.5, quantity: 3 }), // 7.5 USD, 01-06
        purchase('m2', T + 2 * HOUR, 'u1', { price: 10, currency: 'EUR' }), // no rate yet
        purchase('m3', T + 2 * DAY, 'u1', { price: 99 }), // outside the 1-day window
        enrol('e1', T, 'u2'),
        purchase('m4', T + HOUR, 'u2', { price: 4 }), // control: its entry only
      ]);
      // m1 converts s1 and p1 (A = any purchase); m2 finds them credited.
      const conversions = {
        '2026-01-06 email v1 conversions': 1,
        '2026-01-05 email v1 conversions_by_send_time': 1,
        '2026-01-06 ios_push v1 conversions': 1,
        '2026-01-05 ios_push v1 conversions_by_send_time': 1,
        '2026-01-06 - - conversions': 2,
        '2026-01-05 - - conversions_by_send_time': 2,
        '2026-01-06 - cg conversions': 1,
        '2026-01-05 - cg conversions_by_send_time': 1,
        '2026-01-06 - cg revenue': 4,
      };
      assert.deepEqual(await series(ws), {
        ...conversions,
        '2026-01-06 - - revenue': 7.5,
        '2026-01-06 email v1 revenue': 7.5,
        '2026-01-06 ios_push v1 revenue': 7.5,
      });
      // 10 EUR at 1.1 = 11 USD, added to every level m2 counts in.
      await store.setCurrencyRate(ws, 'EUR', 1.1);
      assert.deepEqual(await store.currencyRates(ws), new Map([['EUR', 1.1]]));
      assert.deepEqual(await series(ws), {
        ...conversions,
        '2026-01-06 - - revenue': 18.5,
        '2026-01-06 email v1 revenue': 18.5,
        '2026-01-06 ios_push v1 revenue': 18.5,
      });
    });

    it('counts imported conversions only for campaigns without behaviors', async () => {
      const ws = await workspace();
      const conversion = (id: string, atMs: number, user: string, index: number) =>
        event('users.campaigns.Conversion', {
          id,
          at: atMs,
          user,
          conversion_behavior_index: index,
        });
      const outcome = await store.ingest(ws, [
        send('s1', T, 'u1'),
        conversion('i1', T + HOUR, 'u1', 1), // conversions1 on 01-06, by send time on 01-05
        conversion('i2', T + HOUR, 'u2', 0), // no receipt: day level, both on 01-06
      ]);
      assert.equal(outcome.ignored, 0);
      const imported = {
        '2026-01-06 email v1 conversions1': 1,
        '2026-01-05 email v1 conversions1_by_send_time': 1,
        '2026-01-06 - - conversions1': 1,
        '2026-01-05 - - conversions1_by_send_time': 1,
        '2026-01-06 - - conversions': 1,
        '2026-01-06 - - conversions_by_send_time': 1,
      };
      assert.deepEqual(await series(ws), imported);
      // Defining behaviors makes Tally attribute itself: the imported ones no longer count.
      await define(ws, [SIGNUP_HOUR]);
      assert.deepEqual(await series(ws), {});
      await define(ws, []);
      assert.deepEqual(await series(ws), imported);
    });

    it('moves imported conversions to the control entry once their variation turns out to be control', async () => {
      const ws = await workspace();
      const imported = (id: string, atMs: number, user: string) =>
        event('users.campaigns.Conversion', {
          ...{ id, at: atMs, user, variation: 'cg', conversion_behavior_index: 0 },
        });
      // cg is not defined as control: only u2's later enrolment says so. Until then u1's
      // conversion counts at day level; after it, in the control entry alone (SPEC §3).
      await store.ingest(ws, [imported('i1', T + HOUR, 'u1')]);
      assert.deepEqual(await series(ws), {
        '2026-01-06 - - conversions': 1,
        '2026-01-06 - - conversions_by_send_time': 1,
      });
      await store.ingest(ws, [enrol('e1', T, 'u2')]);
      assert.deepEqual(await series(ws), {
        '2026-01-06 - cg conversions': 1,
        '2026-01-06 - cg conversions_by_send_time': 1,
      });
    });

    it('gives conversions and revenue to the most recent receipt’s send, within its 14 days', async () => {
      const ws = await workspace();
      await define(ws, [{ type: 'Makes Any Purchase', window: 2_592_000 }]);
      await store.ingest(ws, [
        send('s1', T, 'u1', { send_id: 'A' }),
        send('s2', T + HOUR, 'u1', { send_id: 'B' }),
        purchase('m1', T + 2 * HOUR, 'u1', { price: 5 }), // 01-06, to B (most recent)
        send('s3', T, 'u2', { send_id: 'C' }),
        purchase('m2', T + 15 * DAY, 'u2', { price: 7 }), // 01-20: in the campaign, not in C
      ]);
      assert.deepEqual(await sendSeries(ws, 'A'), {});
      const toB = {
        '2026-01-06 email v1 conversions': 1,
        '2026-01-06 email v1 conversions_by_send_time': 1,
        '2026-01-06 email v1 revenue': 5,
        '2026-01-06 - - conversions': 1,
        '2026-01-06 - - conversions_by_send_time': 1,
        '2026-01-06 - - revenue': 5,
      };
      assert.deepEqual(await sendSeries(ws, 'B'), toB);
      assert.deepEqual(await sendSeries(ws, 'C'), {});
      assert.deepEqual((await series(ws))['2026-01-20 - - revenue'], 7);
    });

    it('counts in a send’s series a behavior at the instant of its receipt (τ = r)', async () => {
      const ws = await workspace();
      await define(ws, [SIGNUP_HOUR]);
      await store.ingest(ws, [send('s1', T, 'u1', { send_id: 'A' }), custom('b1', T, 'u1')]);
      // Both on 01-05, the day of the receipt and of the behavior.
      assert.deepEqual(await sendSeries(ws, 'A'), {
        '2026-01-05 email v1 conversions': 1,
        '2026-01-05 email v1 conversions_by_send_time': 1,
        '2026-01-05 - - conversions': 1,
        '2026-01-05 - - conversions_by_send_time': 1,
      });
    });

    it('credits a one-day range from receipts a window before it and behaviors a window after it', async () => {
      // A window longer than the day: the facts that decide the day reach days beyond it.
      const window = 3 * DAY;
      const ws = await workspace();
      await define(ws, [{ ...SIGNUP_HOUR, window: window / 1000 }]);
      const dayStart = Date.parse('2026-01-10T00:00:00Z');
      const dayEnd = dayStart + DAY; // exclusive
      await store.ingest(ws, [
        // Received a window before the day starts, converts at its first instant.
        send('s1', dayStart - window, 'u1', { send_id: 'A' }),
        custom('b1', dayStart, 'u1'),
        // Received at the day's last instant, converts a window after it.
        send('s2', dayEnd - 1, 'u2', { send_id: 'A' }),
        custom('b2', dayEnd - 1 + window, 'u2'),
      ]);
      const day = parseDay('2026-01-10')!;
      const oneDay = { firstDay: day, lastDay: day };
      const expected = {
        '2026-01-10 email v1 conversions': 1,
        '2026-01-10 email v1 conversions_by_send_time': 1,
        '2026-01-10 - - conversions': 1,
        '2026-01-10 - - conversions_by_send_time': 1,
      };
      assert.deepEqual(credits(await store.campaignSeries(ws, 'c1', oneDay)), expected);
      assert.deepEqual(credits(await store.sendSeries(ws, 'c1', 'A', oneDay)), expected);
      // The other half of each credit lies on the days a window away.
      const all = await series(ws);
      assert.equal(all['2026-01-07 - - conversions_by_send_time'], 1);
      assert.equal(all['2026-01-13 - - conversions'], 1);
    });

    it('re-attributes when the behaviors are redefined', async () => {
      const ws = await workspace();
      await define(ws, [SIGNUP_HOUR]);
      await store.ingest(ws, [send('s1', T, 'u1'), purchase('m1', T + MINUTE, 'u1', { price: 1 })]);
      const revenue = { '2026-01-05 - - revenue': 1, '2026-01-05 email v1 revenue': 1 };
      assert.deepEqual(await series(ws), revenue);
      await define(ws, [{ type: 'Makes Specific Purchase', product: 'sku', window: 3600 }]);
      assert.deepEqual(await series(ws), {
        ...revenue,
        '2026-01-05 email v1 conversions': 1,
        '2026-01-05 email v1 conversions_by_send_time': 1,
        '2026-01-05 - - conversions': 1,
        '2026-01-05 - - conversions_by_send_time': 1,
      });
      await define(ws, [SIGNUP_HOUR]);
      assert.deepEqual(await series(ws), revenue);
    });

    it('gives the same series whatever the order, batches and repeats (property)', async () => {
      const behaviors: ConversionBehavior[] = [
        { type: 'Makes Any Purchase', window: 7200 },
        SIGNUP_HOUR,
        { type: 'Opens Email', window: 3600 },
      ];
      const kinds = ['email', 'push', 'open', 'enrol', 'signup', 'usd', 'eur'] as const;
      const spec = fc.record({
        kind: fc.constantFrom(...kinds),
        user: fc.constantFrom('u1', 'u2', 'u3'),
        minute: fc.integer({ min: 0, max: 6 * 60 }),
        variation: fc.constantFrom('v1', 'v2'),
        sendId: fc.constantFrom('A', 'B'),
        cents: fc.integer({ min: 1, max: 10_000 }),
        quantity: fc.integer({ min: 1, max: 3 }),
      });
      type Spec = typeof spec extends fc.Arbitrary<infer S> ? S : never;
      const toEvent = (s: Spec, i: number): NormalizedEvent => {
        const at = T + s.minute * MINUTE;
        const id = `e${i}`;
        const message = { variation: s.variation, send_id: s.sendId };
        switch (s.kind) {
          case 'email':
            return send(id, at, s.user, message);
          case 'push':
            return push(id, at, s.user, message);
          case 'open':
            return event('email.Open', { id, at, user: s.user, ...message });
          case 'enrol':
            return enrol(id, at, s.user);
          case 'signup':
            return custom(id, at, s.user);
          case 'usd':
          case 'eur':
            return purchase(id, at, s.user, {
              price: s.cents / 100,
              quantity: s.quantity,
              currency: s.kind.toUpperCase(),
            });
        }
      };
      const scenario = fc
        .array(spec, { minLength: 1, maxLength: 25 })
        .map((specs) => specs.map(toEvent))
        .chain((events) =>
          fc.record({
            events: fc.constant(events),
            shuffled: fc.shuffledSubarray(events, {
              minLength: events.length,
              maxLength: events.length,
            }),
            repeats: fc.subarray(events),
            cuts: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 8 }),
            rateFirst: fc.boolean(),
          }),
        );
      const snapshot = async (ws: string) => ({
        campaign: await series(ws),
        A: await sendSeries(ws, 'A'),
        B: await sendSeries(ws, 'B'),
      });
      await fc.assert(
        fc.asyncProperty(scenario, async ({ events, shuffled, repeats, cuts, rateFirst }) => {
          const inOrder = await workspace();
          await define(inOrder, behaviors, true);
          const byTime = [...events].sort(
            (a, b) => a.instantMs - b.instantMs || (a.id < b.id ? -1 : 1),
          );
          await store.ingest(inOrder, byTime);
          await store.setCurrencyRate(inOrder, 'EUR', 1.25);

          // Shuffled, in batches, with repeats, the definition and the rate at other moments.
          const mixed = await workspace();
          if (rateFirst) await store.setCurrencyRate(mixed, 'EUR', 1.25);
          const all: NormalizedEvent[] = [...shuffled, ...repeats];
          let at = 0;
          for (let i = 0; at < all.length; i++) {
            const size = cuts[i % cuts.length]!;
            await store.ingest(mixed, all.slice(at, at + size));
            if (i === 0) await define(mixed, behaviors, true);
            at += size;
          }
          if (!rateFirst) await store.setCurrencyRate(mixed, 'EUR', 1.25);
          assert.deepEqual(await snapshot(mixed), await snapshot(inOrder));
        }),
        { numRuns: 40 },
      );
    });
  });
}
