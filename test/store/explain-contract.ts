/**
 * Explanations (src/store/explain.ts) on every Store: for every non-zero figure of a randomised
 * scenario, campaign and send series alike, the explanation lists as many items as the figure
 * counts (revenue: amounts adding up to it), oldest first, and nothing on a day with no events.
 *
 *   explainContract('sqlite', () => openSqliteStore({ dataDir: freshTempDir() }), 20);
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { MICROS_PER_USD } from '../../src/domain/behaviors.js';
import type { NormalizedEvent } from '../../src/domain/event.js';
import type { CreditItem, ExplanationItem, Figure, UniqueItem } from '../../src/domain/explain.js';
import { sendCutoffMs } from '../../src/domain/sends.js';
import type { SeriesCell } from '../../src/domain/series.js';
import { formatDay, parseDay } from '../../src/domain/time.js';
import { explainFigure } from '../../src/store/explain.js';
import type { DayRange, Store } from '../../src/store/store.js';
import { event } from '../support/events.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = Date.parse('2026-03-01T00:00:00Z');
const RANGE: DayRange = { firstDay: parseDay('2026-02-25')!, lastDay: parseDay('2026-04-10')! };
/** A day of the range on which no scenario has events. */
const EMPTY_DAY = parseDay('2026-04-09')!;

const KINDS = [
  'email.Send',
  'email.Delivery',
  'email.Open',
  'email.Click',
  'pushnotification.Send',
  'pushnotification.Open',
  'contentcard.Impression',
  'contentcard.Click',
  'enrol',
  'signup',
  'purchase',
  'imported',
] as const;

const spec = fc.record({
  kind: fc.constantFrom(...KINDS),
  user: fc.constantFrom('u1', 'u2', 'u3', 'u4'),
  // Twenty days, so that email chains see the 7-day rule and conversions cross midnights.
  hour: fc.integer({ min: 0, max: 20 * 24 }),
  variation: fc.constantFrom('v1', 'v2', 'v1'),
  send: fc.constantFrom(null, 'A', 'B'),
  button: fc.constantFrom('', 'Buy'),
  card: fc.constantFrom('k1', 'k2'),
  cents: fc.integer({ min: 1, max: 100_000 }),
  index: fc.integer({ min: 0, max: 1 }),
});
type Spec = typeof spec extends fc.Arbitrary<infer S> ? S : never;

function toEvent(s: Spec, i: number): NormalizedEvent {
  const id = `e${i}`;
  const at = START + s.hour * HOUR + i;
  const base = { id, at, user: s.user, variation: s.variation };
  const message = { ...base, ...(s.send === null ? {} : { send_id: s.send }) };
  switch (s.kind) {
    case 'pushnotification.Send':
      return event(s.kind, { ...message, platform: 'ios' });
    case 'pushnotification.Open':
      return event(s.kind, { ...message, platform: 'ios', button_string: s.button });
    case 'contentcard.Impression':
    case 'contentcard.Click':
      return event(s.kind, { ...message, content_card_id: s.card });
    case 'enrol':
      return event('users.campaigns.EnrollInControl', { ...base, variation: 'cg' });
    case 'signup':
      return event('users.behaviors.CustomEvent', { ...base, campaign: null, name: 'signup' });
    case 'purchase':
      return event('users.behaviors.Purchase', {
        ...base,
        campaign: null,
        product_id: 'sku',
        price: s.cents / 100,
        currency: 'USD',
      });
    case 'imported':
      // A campaign without behaviors, so Braze's own conversions count there.
      return event('users.campaigns.Conversion', {
        ...message,
        campaign: 'c2',
        conversion_behavior_index: s.index,
      });
    default:
      return event(s.kind, message);
  }
}

const ordered = (items: readonly ExplanationItem[]): boolean =>
  items.every((item, i) => i === 0 || items[i - 1]!.time <= item.time);

export function explainContract(
  name: string,
  openStore: () => Promise<Store>,
  numRuns: number,
): void {
  describe(`Explanation contract: ${name}`, () => {
    let store: Store;
    let count = 0;
    before(async () => {
      store = await openStore();
    });
    after(async () => {
      await store.close();
    });

    /** Checks every non-zero cell's explanation, and the same figure on a day without events. */
    async function checkCells(
      ws: string,
      campaignId: string,
      send: Figure['send'],
      cells: readonly SeriesCell[],
    ): Promise<number> {
      for (const cell of cells) {
        const figure: Figure = { campaignId, send, ...cell };
        const where = `${campaignId} ${send?.id ?? '-'} ${formatDay(cell.day)} ${cell.channel ?? '-'} ${cell.variationId ?? '-'} ${cell.metric}`;
        const items = await explainFigure(store, ws, figure);
        if (cell.metric === 'revenue') {
          const micros = (items as CreditItem[]).reduce(
            (sum, item) => sum + Math.round(item.usd! * MICROS_PER_USD),
            0,
          );
          assert.equal(micros, Math.round(cell.value * MICROS_PER_USD), where);
        } else {
          assert.equal(items.length, cell.value, where);
        }
        assert.ok(ordered(items), `${where}: items oldest first`);
        for (const item of items as UniqueItem[]) {
          if (item.after === undefined || item.after === 'first') continue;
          assert.ok(item.after.time < item.time, `${where}: a unique event after an earlier one`);
        }
        const none = await explainFigure(store, ws, { ...figure, day: EMPTY_DAY });
        assert.deepEqual(none, [], `${where} on a day without events`);
      }
      return cells.length;
    }

    it('lists exactly what each figure counts, for campaign and send series (property)', async () => {
      const scenario = fc.array(spec, { minLength: 5, maxLength: 40 });
      let checked = 0;
      await fc.assert(
        fc.asyncProperty(scenario, async (specs) => {
          count += 1;
          const unique = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
          const zone = count % 2 === 0 ? 'America/New_York' : 'Asia/Kolkata';
          const ws = (await store.createWorkspace(`explain-${count}-${unique}`, zone)).id;
          await store.defineCampaign(ws, {
            campaign_id: 'c1',
            variations: [
              { id: 'v1', name: 'V1' },
              { id: 'v2', name: 'V2' },
              { id: 'cg', name: 'Control', control: true },
            ],
            conversion_behaviors: [
              { type: 'Makes Any Purchase', window: 2 * 86_400 },
              { type: 'Performs Custom Event', custom_event_name: 'signup', window: 86_400 },
              { type: 'Opens Email', window: 3_600 },
            ],
          });
          await store.ingest(ws, specs.map(toEvent));
          for (const campaignId of ['c1', 'c2']) {
            const cells = await store.campaignSeries(ws, campaignId, RANGE);
            checked += await checkCells(ws, campaignId, null, cells);
            for (const sendId of ['A', 'B']) {
              const info = await store.getSend(ws, campaignId, sendId);
              if (!info) continue;
              const send = { id: sendId, cutoffMs: sendCutoffMs(info.firstReceiptMs) };
              const sendCells = await store.sendSeries(ws, campaignId, sendId, RANGE);
              checked += await checkCells(ws, campaignId, send, sendCells);
            }
          }
        }),
        { numRuns },
      );
      // The scenarios must reach figures at all, or the property says nothing.
      assert.ok(checked > numRuns * 5, `only ${checked} figures checked`);
    });

    it('names the unique event each unique one comes a window after', async () => {
      const ws = (await store.createWorkspace(`explain-chain-${Date.now()}`, 'UTC')).id;
      const open = (id: string, at: number) => event('email.Open', { id, at, user: 'u1' });
      // o1 unique (first); o2 six days on, not; o3 seven days after o1: unique after o1.
      await store.ingest(ws, [
        open('o1', START),
        open('o2', START + 6 * DAY),
        open('o3', START + 7 * DAY),
      ]);
      const figure = (at: number): Figure => ({
        campaignId: 'c1',
        send: null,
        day: Math.floor(at / DAY),
        channel: 'email',
        variationId: 'v1',
        metric: 'unique_opens',
      });
      const first = (await explainFigure(store, ws, figure(START))) as UniqueItem[];
      assert.deepEqual(
        first.map((item) => [item.id, item.after]),
        [['o1', 'first']],
      );
      assert.deepEqual(await explainFigure(store, ws, figure(START + 6 * DAY)), []);
      const third = (await explainFigure(store, ws, figure(START + 7 * DAY))) as UniqueItem[];
      assert.deepEqual(
        third.map((item) => [item.id, item.after]),
        [['o3', { id: 'o1', time: new Date(START).toISOString() }]],
      );
    });
  });
}
