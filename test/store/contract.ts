/**
 * The behaviour every Store must have (SPEC §1, §2, §4, §5), written only against the Store
 * interface so the same suite runs on every implementation:
 *
 *   storeContract('sqlite', () => openSqliteStore({ dataDir: freshTempDir() }));
 *
 * One store is opened per suite; each test works in its own fresh workspace, which also checks
 * that nothing crosses workspaces. Expectations are computed by hand in the comments.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { keyIdOf } from '../../src/domain/api-key.js';
import type { NormalizedEvent } from '../../src/domain/event.js';
import type { SeriesCell } from '../../src/domain/series.js';
import { formatDay, parseDay } from '../../src/domain/time.js';
import type { DayRange, Store } from '../../src/store/store.js';
import { currents, event, normalized } from '../support/events.js';

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

const day = (text: string): number => parseDay(text)!;
const range = (first: string, last: string): DayRange => ({
  firstDay: day(first),
  lastDay: day(last),
});

/** Cells as `{ 'YYYY-MM-DD channel variation metric': value }`, '-' for null. */
function figures(cells: readonly SeriesCell[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of cells) {
    const key = `${formatDay(c.day)} ${c.channel ?? '-'} ${c.variationId ?? '-'} ${c.metric}`;
    assert.equal(out[key], undefined, `cell ${key} returned twice`);
    assert.notEqual(c.value, 0, `zero cell ${key} returned`);
    out[key] = c.value;
  }
  return out;
}

/** Expected figures of one day, one entry: `entry('2026-01-05 email v1', { sent: 2 })`. */
function entry(prefix: string, metrics: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(metrics).map(([m, n]) => [`${prefix} ${m}`, n]));
}

export function storeContract(name: string, openStore: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    let workspaces = 0;
    before(async () => {
      store = await openStore();
    });
    after(async () => {
      await store.close();
    });

    const workspace = async (timezone = 'UTC'): Promise<string> => {
      workspaces += 1;
      const unique = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
      return (await store.createWorkspace(`contract-${workspaces}-${unique}`, timezone)).id;
    };
    const series = async (ws: string, first: string, last: string, campaign = 'c1') =>
      figures(await store.campaignSeries(ws, campaign, range(first, last)));
    const sendSeries = async (ws: string, sendId: string, first: string, last: string) =>
      figures(await store.sendSeries(ws, 'c1', sendId, range(first, last)));

    describe('workspaces and keys', () => {
      it('creates, finds and refuses a second workspace of the same name', async () => {
        const name = `acme-${Math.random().toString(36).slice(2)}`;
        const created = await store.createWorkspace(name, 'Europe/Berlin');
        assert.equal(created.name, name);
        assert.equal(created.timezone, 'Europe/Berlin');
        assert.deepEqual(await store.getWorkspace(created.id), created);
        assert.deepEqual(await store.findWorkspaceByName(name), created);
        assert.equal(await store.findWorkspaceByName(`${name}-other`), undefined);
        assert.equal(await store.getWorkspace('ws_missing'), undefined);
        await assert.rejects(store.createWorkspace(name, 'UTC'));
      });

      it('stores key grants by hash', async () => {
        const ws = await workspace();
        const hash = `hash-${ws}`;
        await store.saveApiKey(ws, hash, ['campaigns.data_series', 'events.write']);
        assert.deepEqual(await store.findApiKey(hash), {
          workspaceId: ws,
          permissions: ['campaigns.data_series', 'events.write'],
          expiresAtMs: null,
        });
        assert.equal(await store.findApiKey(`${hash}-other`), undefined);
      });

      it('lists keys with their details, records their use, and revokes them by id', async () => {
        const ws = await workspace();
        const hex = () =>
          Array.from({ length: 64 }, () => '0123456789abcdef'[Math.floor(Math.random() * 16)]).join(
            '',
          );
        const [old, fresh] = [hex(), hex()];
        await store.saveApiKey(ws, old, ['campaigns.list']); // made before details were kept
        await store.saveApiKey(ws, fresh, ['events.write'], {
          prefix: 'tly_AbCd',
          createdAtMs: 1_000,
          expiresAtMs: 5_000_000,
        });
        await store.recordKeyUse(fresh, 2_000);
        await store.recordKeyUse(fresh, 3_000);
        const [first, second] = await store.listApiKeys(ws);
        assert.deepEqual(first, {
          id: keyIdOf(old),
          workspaceId: ws,
          prefix: '',
          permissions: ['campaigns.list'],
          createdAtMs: null,
          lastUsedMs: null,
          expiresAtMs: null,
          revokedAtMs: null,
        });
        assert.deepEqual(second, {
          id: keyIdOf(fresh),
          workspaceId: ws,
          prefix: 'tly_AbCd',
          permissions: ['events.write'],
          createdAtMs: 1_000,
          lastUsedMs: 3_000,
          expiresAtMs: 5_000_000,
          revokedAtMs: null,
        });
        assert.equal((await store.findApiKey(fresh))?.expiresAtMs, 5_000_000);

        assert.equal(await store.revokeApiKey('key_000000000000', 9_000), undefined);
        const revoked = await store.revokeApiKey(keyIdOf(fresh), 9_000);
        assert.deepEqual(revoked, { ...second, revokedAtMs: 9_000 });
        assert.equal(await store.findApiKey(fresh), undefined);
        assert.equal((await store.revokeApiKey(keyIdOf(old), 9_500))?.revokedAtMs, 9_500);
        assert.equal(await store.findApiKey(old), undefined);
        assert.deepEqual(
          (await store.listApiKeys(ws)).map((key) => key.revokedAtMs),
          [9_500, 9_000],
        );
        assert.deepEqual(await store.listApiKeys(await workspace()), []);
      });

      it('lists every workspace, oldest first', async () => {
        const ws = await workspace();
        const all = await store.listWorkspaces();
        assert.ok(all.length >= 2);
        assert.deepEqual(all.at(-1), await store.getWorkspace(ws));
        const created = all.map((w) => w.createdAtMs);
        assert.deepEqual(
          created,
          [...created].sort((a, b) => a - b),
        );
      });
    });

    describe('metrics of every channel (SPEC §2)', () => {
      const at = (h: number) => `2026-01-05T${String(h).padStart(2, '0')}:00:00Z`;

      it('email: every metric, machine opens, and bounces that count nowhere', async () => {
        const ws = await workspace();
        const outcome = await store.ingest(ws, [
          event('email.Send', { id: 's1', at: at(1), user: 'u1' }),
          event('email.Send', { id: 's2', at: at(1), user: 'u2' }),
          event('email.Delivery', { id: 'd1', at: at(2), user: 'u1' }),
          event('email.Open', { id: 'o1', at: at(3), machine_open: 'true', is_amp: true }),
          event('email.Open', { id: 'o2', at: at(3), user: 'u2', machine_open: 'true' }),
          event('email.Open', { id: 'o3', at: at(4), user: 'u2' }),
          event('email.Click', { id: 'k1', at: at(5) }),
          event('email.Click', { id: 'k2', at: at(6) }),
          event('email.Bounce', { id: 'b1', at: at(7), user: 'u3' }),
          event('email.SoftBounce', { id: 'b2', at: at(7), user: 'u3' }),
          event('email.Deferral', { id: 'b3', at: at(7), user: 'u3' }),
          event('email.MarkAsSpam', { id: 'm1', at: at(8) }),
          event('email.Unsubscribe', { id: 'n1', at: at(9), user: 'u2' }),
        ]);
        assert.deepEqual(outcome, {
          accepted: 11,
          duplicates: 0,
          duplicatePositions: [],
          ignored: 2,
          conflicts: [],
        });
        assert.deepEqual(await series(ws, '2026-01-04', '2026-01-06'), {
          ...entry('2026-01-05 email v1', {
            sent: 2,
            delivered: 1,
            opens: 3,
            unique_opens: 2, // u1's and u2's first open
            machine_open: 2,
            machine_amp_open: 1,
            clicks: 2,
            unique_clicks: 1, // k2 is 1 h after k1
            bounces: 1,
            reported_spam: 1,
            unsubscribes: 1,
            unique_recipients: 2,
          }),
          '2026-01-05 - - unique_recipients': 2,
        });
      });

      it('push: channel by platform, body clicks only without a button', async () => {
        const ws = await workspace();
        const push = (suffix: string, id: string, user: string, platform: string, extra = {}) =>
          event(`pushnotification.${suffix}`, { id, at: at(10), user, platform, ...extra });
        await store.ingest(ws, [
          push('Send', 'p1', 'u1', 'ios'),
          push('Send', 'p2', 'u2', 'tvos'),
          push('Open', 'p3', 'u1', 'android', { button_string: '' }),
          push('Open', 'p4', 'u2', 'android', { button_string: 'Buy' }),
          push('InfluencedOpen', 'p5', 'u3', 'android'),
          push('Bounce', 'p6', 'u1', 'kindle'),
          push('Send', 'p7', 'u1', 'web'),
        ]);
        assert.deepEqual(await series(ws, '2026-01-05', '2026-01-05'), {
          ...entry('2026-01-05 ios_push v1', { sent: 2, unique_recipients: 2 }),
          ...entry('2026-01-05 android_push v1', {
            direct_opens: 2,
            total_opens: 3,
            body_clicks: 1,
            'push_button:Buy': 1,
          }),
          ...entry('2026-01-05 kindle_push v1', { bounces: 1 }),
          ...entry('2026-01-05 web_push v1', { sent: 1, unique_recipients: 1 }),
          '2026-01-05 - - unique_recipients': 2, // u1, u2
        });
      });

      it('sms: every metric, opt-outs and HELP/INFO replies', async () => {
        const ws = await workspace();
        const outcome = await store.ingest(ws, [
          event('sms.Send', { id: 'm1', at: at(1) }),
          event('sms.CarrierSend', { id: 'm2', at: at(1) }),
          event('sms.Delivery', { id: 'm3', at: at(2) }),
          event('sms.Rejection', { id: 'm4', at: at(2), user: 'u2' }),
          event('sms.DeliveryFailure', { id: 'm5', at: at(2), user: 'u3' }),
          event('sms.ShortLinkClick', { id: 'm6', at: at(3) }),
          event('sms.InboundReceive', { id: 'm7', at: at(4), action: 'unsubscribed' }),
          event('sms.InboundReceive', { id: 'm8', at: at(4), message_body: ' help ' }),
          event('sms.InboundReceive', { id: 'm9', at: at(4), message_body: 'Info' }),
          event('sms.InboundReceive', { id: 'm10', at: at(4), message_body: 'hello' }),
        ]);
        assert.deepEqual(outcome, {
          accepted: 9,
          duplicates: 0,
          duplicatePositions: [],
          ignored: 1,
          conflicts: [],
        });
        assert.deepEqual(await series(ws, '2026-01-05', '2026-01-05'), {
          ...entry('2026-01-05 sms v1', {
            sent: 1,
            sent_to_carrier: 1,
            delivered: 1,
            rejected: 1,
            delivery_failed: 1,
            clicks: 1,
            opt_out: 1,
            help: 2,
            unique_recipients: 1,
          }),
          '2026-01-05 - - unique_recipients': 1,
        });
      });

      it('whats_app, webhook, content cards and in-app messages', async () => {
        const ws = await workspace();
        const card = (suffix: string, id: string, user: string, cardId: string) =>
          event(`contentcard.${suffix}`, { id, at: at(12), user, content_card_id: cardId });
        const inApp = (suffix: string, id: string, user: string, extra = {}) =>
          event(`inappmessage.${suffix}`, { id, at: at(13), user, ...extra });
        await store.ingest(ws, [
          event('whatsapp.Send', { id: 'w1', at: at(1) }),
          event('whatsapp.Delivery', { id: 'w2', at: at(1) }),
          event('whatsapp.Failure', { id: 'w3', at: at(1), user: 'u2' }),
          event('whatsapp.Read', { id: 'w4', at: at(2) }),
          event('webhook.Send', { id: 'h1', at: at(3), user: 'u4' }),
          event('webhook.Failure', { id: 'h2', at: at(3), user: 'u4' }),
          card('Send', 'c1', 'u5', 'A'),
          card('Impression', 'c2', 'u5', 'A'),
          card('Impression', 'c3', 'u5', 'A'),
          card('Impression', 'c4', 'u5', 'B'),
          card('Impression', 'c5', 'u6', 'A'),
          card('Click', 'c6', 'u5', 'A'),
          card('Click', 'c7', 'u5', 'A'),
          card('Dismiss', 'c8', 'u5', 'A'),
          inApp('Impression', 'i1', 'u7'),
          inApp('Impression', 'i2', 'u8'),
          inApp('Click', 'i3', 'u7'),
          inApp('Click', 'i4', 'u7', { button_id: '0' }),
          inApp('Click', 'i5', 'u8', { button_id: 0 }),
          inApp('Click', 'i6', 'u8', { button_id: '1' }),
        ]);
        assert.deepEqual(await series(ws, '2026-01-05', '2026-01-05'), {
          ...entry('2026-01-05 whats_app v1', {
            sent: 1,
            delivered: 1,
            failed: 1,
            read: 1,
            unique_recipients: 1,
          }),
          ...entry('2026-01-05 webhook v1', { sent: 1, errors: 1, unique_recipients: 1 }),
          ...entry('2026-01-05 content_cards v1', {
            sent: 1,
            total_impressions: 4,
            unique_impressions: 3, // u5 A, u5 B, u6 A
            total_clicks: 2,
            unique_clicks: 1,
            total_dismissals: 1,
            unique_dismissals: 1,
            unique_recipients: 2, // the receipt is the Impression: u5, u6
          }),
          ...entry('2026-01-05 trigger_in_app_message v1', {
            impressions: 2,
            clicks: 1,
            first_button_clicks: 2,
            second_button_clicks: 1,
            unique_recipients: 2,
          }),
          '2026-01-05 - - unique_recipients': 6, // u1, u4, u5, u6, u7, u8
        });
      });
    });

    describe('unique chains', () => {
      const T = Date.parse('2026-01-05T00:00:00Z');
      const open = (id: string, ms: number, extra = {}) =>
        event('email.Open', { id, at: ms, ...extra });

      it('an open exactly 7 days after the last unique one is unique, 1 ms earlier is not', async () => {
        const ws = await workspace();
        await store.ingest(ws, [
          open('o1', T),
          open('o2', T + WEEK_MS - 1), // 2026-01-11 23:59:59.999
          open('o3', T + WEEK_MS), // 2026-01-12 00:00: exactly 604,800 s after o1
          open('o4', T + 2 * WEEK_MS - 1), // 1 ms short of 7 days after o3
        ]);
        assert.deepEqual(await series(ws, '2026-01-01', '2026-01-31'), {
          ...entry('2026-01-05 email v1', { opens: 1, unique_opens: 1 }),
          ...entry('2026-01-11 email v1', { opens: 1 }),
          ...entry('2026-01-12 email v1', { opens: 1, unique_opens: 1 }),
          ...entry('2026-01-18 email v1', { opens: 1 }),
        });
      });

      it('a late, earlier open re-ranks the chain; clicks and variations are separate chains', async () => {
        const ws = await workspace();
        await store.ingest(ws, [open('o5', T + 5 * DAY_MS), open('o9', T + 9 * DAY_MS)]);
        assert.deepEqual(await series(ws, '2026-01-01', '2026-01-31'), {
          ...entry('2026-01-10 email v1', { opens: 1, unique_opens: 1 }),
          ...entry('2026-01-14 email v1', { opens: 1 }), // 4 days after o5
        });
        await store.ingest(ws, [
          open('o0', T), // now first: o5 is 5 days after it, o9 9 days
          event('email.Click', { id: 'k1', at: T + DAY_MS }),
          open('x0', T + 5 * DAY_MS, { variation: 'v2' }),
        ]);
        assert.deepEqual(await series(ws, '2026-01-01', '2026-01-31'), {
          ...entry('2026-01-05 email v1', { opens: 1, unique_opens: 1 }),
          ...entry('2026-01-06 email v1', { clicks: 1, unique_clicks: 1 }),
          ...entry('2026-01-10 email v1', { opens: 1 }),
          ...entry('2026-01-10 email v2', { opens: 1, unique_opens: 1 }),
          ...entry('2026-01-14 email v1', { opens: 1, unique_opens: 1 }),
        });
      });

      it('content cards: unique only the first time ever per card, even when it arrives late', async () => {
        const ws = await workspace();
        const impression = (id: string, ms: number, cardId: string) =>
          event('contentcard.Impression', { id, at: ms, content_card_id: cardId });
        await store.ingest(ws, [impression('i3', T + 3 * DAY_MS, 'A')]);
        await store.ingest(ws, [
          impression('i30', T + 30 * DAY_MS, 'A'), // never unique again, whatever the gap
          impression('i1', T + DAY_MS, 'A'), // late: the first ever
          impression('i2', T + 2 * DAY_MS, 'B'),
        ]);
        const card = { total_impressions: 1, unique_recipients: 1 };
        assert.deepEqual(await series(ws, '2026-01-01', '2026-02-28'), {
          ...entry('2026-01-06 content_cards v1', { ...card, unique_impressions: 1 }),
          ...entry('2026-01-07 content_cards v1', { ...card, unique_impressions: 1 }),
          ...entry('2026-01-08 content_cards v1', card),
          ...entry('2026-02-04 content_cards v1', card),
          '2026-01-06 - - unique_recipients': 1,
          '2026-01-07 - - unique_recipients': 1,
          '2026-01-08 - - unique_recipients': 1,
          '2026-02-04 - - unique_recipients': 1,
        });
      });
    });

    describe('recipients and control', () => {
      it('counts unique_recipients per entry and at day level, across batches', async () => {
        const ws = await workspace();
        const at = '2026-01-05T10:00:00Z';
        await store.ingest(ws, [
          event('email.Send', { id: 'a', at, user: 'u1' }),
          event('pushnotification.Send', { id: 'b', at, user: 'u1', platform: 'ios' }),
        ]);
        await store.ingest(ws, [
          event('email.Send', { id: 'c', at: '2026-01-05T18:00:00Z', user: 'u1' }),
          event('email.Send', { id: 'd', at, user: 'u2', variation: 'v2' }),
          event('email.Send', { id: 'e', at: '2026-01-06T01:00:00Z', user: 'u1' }),
        ]);
        assert.deepEqual(await series(ws, '2026-01-05', '2026-01-06'), {
          ...entry('2026-01-05 email v1', { sent: 2, unique_recipients: 1 }),
          ...entry('2026-01-05 ios_push v1', { sent: 1, unique_recipients: 1 }),
          ...entry('2026-01-05 email v2', { sent: 1, unique_recipients: 1 }),
          '2026-01-05 - - unique_recipients': 2,
          ...entry('2026-01-06 email v1', { sent: 1, unique_recipients: 1 }),
          '2026-01-06 - - unique_recipients': 1,
        });
      });

      it('counts enrolled users of the control group, who are not recipients', async () => {
        const ws = await workspace();
        const enrol = (id: string, user: string, at: string) =>
          event('users.campaigns.EnrollInControl', { id, at, user, variation: 'cg' });
        const outcome = await store.ingest(ws, [
          enrol('e1', 'u5', '2026-01-05T01:00:00Z'),
          enrol('e2', 'u6', '2026-01-05T02:00:00Z'),
          enrol('e3', 'u5', '2026-01-05T03:00:00Z'),
          enrol('e4', 'u5', '2026-01-06T03:00:00Z'),
        ]);
        assert.equal(outcome.accepted, 4);
        assert.deepEqual(await series(ws, '2026-01-05', '2026-01-06'), {
          '2026-01-05 - cg enrolled': 2,
          '2026-01-06 - cg enrolled': 1,
        });
        const campaign = await store.getCampaign(ws, 'c1');
        assert.deepEqual(campaign?.variations, [
          { id: 'cg', name: 'cg', control: true, pushButtons: [] },
        ]);
      });
    });

    describe('duplicates and conflicts', () => {
      it('applies an id once; another content under a stored id is a conflict', async () => {
        const ws = await workspace();
        const send = (id: string, at: string) => event('email.Send', { id, at });
        const first = await store.ingest(ws, [
          send('e1', '2026-01-05T01:00:00Z'),
          send('e2', '2026-01-05T02:00:00Z'),
          event('users.behaviors.CustomEvent', { id: 'x1', at: '2026-01-05T02:00:00Z' }),
          event('email.Send', { id: 'x2', at: '2026-01-05T02:00:00Z', campaign: null }),
        ]);
        assert.deepEqual(first, {
          accepted: 2,
          duplicates: 0,
          duplicatePositions: [],
          ignored: 2,
          conflicts: [],
        });
        const second = await store.ingest(ws, [
          send('e1', '2026-01-05T01:00:00Z'), // duplicate
          send('e2', '2026-01-06T02:00:00Z'), // conflict: other content, not applied
          send('e3', '2026-01-05T03:00:00Z'),
          send('e3', '2026-01-05T03:00:00Z'), // duplicate within the batch
          send('e4', '2026-01-05T04:00:00Z'), // the first copy wins...
          send('e4', '2026-01-07T04:00:00Z'), // ...so this one is a conflict
          event('email.Send', { id: 'x2', at: '2026-01-05T02:00:00Z', campaign: null }),
        ]);
        assert.deepEqual(second, {
          accepted: 2,
          duplicates: 3,
          duplicatePositions: [0, 3, 6],
          ignored: 0,
          conflicts: [1, 5],
        });
        assert.deepEqual(await series(ws, '2026-01-01', '2026-01-31'), {
          ...entry('2026-01-05 email v1', { sent: 4, unique_recipients: 1 }),
          '2026-01-05 - - unique_recipients': 1,
        });
      });

      it("lists a campaign's sends: by first receipt, created ones without a receipt last", async () => {
        const T = Date.parse('2026-01-05T00:00:00Z');
        const HOUR = 3_600_000;
        const ws = await workspace();
        await store.createSend(ws, 'c1', 'planned', T);
        await store.createSend(ws, 'c1', 'late', T);
        await store.ingest(ws, [
          // 'late' is created first but receives after 'early'; an open alone makes 'opened'.
          event('email.Send', { id: 'l', at: T + 2 * HOUR, send_id: 'late' }),
          event('email.Send', { id: 'e1', at: T + HOUR, send_id: 'early' }),
          event('email.Send', { id: 'e2', at: T + 3 * HOUR, send_id: 'early' }),
          event('email.Open', { id: 'o', at: T + 4 * HOUR, send_id: 'opened' }),
          event('email.Send', { id: 'x', at: T, send_id: 'other', campaign: 'c2' }),
        ]);
        assert.deepEqual(await store.listSends(ws, 'c1'), [
          { campaignId: 'c1', sendId: 'early', firstReceiptMs: T + HOUR },
          { campaignId: 'c1', sendId: 'late', firstReceiptMs: T + 2 * HOUR },
          { campaignId: 'c1', sendId: 'opened', firstReceiptMs: null },
          { campaignId: 'c1', sendId: 'planned', firstReceiptMs: null },
        ]);
        assert.deepEqual(await store.listSends(await workspace(), 'c1'), []);
      });
    });

    describe('sends (SPEC §4)', () => {
      const T = Date.parse('2026-01-05T00:00:00Z');
      const s1 = { send_id: 's1' };

      it('counts events before the first receipt + 14 days, moved by a late earlier receipt', async () => {
        const ws = await workspace();
        assert.equal(await store.getSend(ws, 'c1', 's1'), undefined);
        await store.ingest(ws, [
          event('email.Send', { id: 'r1', at: T, ...s1 }),
          event('email.Open', { id: 'o1', at: T + DAY_MS, ...s1 }),
          event('email.Click', { id: 'k0', at: T + 13 * DAY_MS - 1, ...s1 }),
          event('email.Click', { id: 'k1', at: T + 13 * DAY_MS, ...s1 }),
          event('email.Click', { id: 'k2', at: T + 14 * DAY_MS - 1, ...s1 }),
          event('email.Click', { id: 'k3', at: T + 14 * DAY_MS, ...s1 }), // at the cutoff: out
          event('email.Open', { id: 'o2', at: T + DAY_MS, send_id: 's2' }),
          event('email.Open', { id: 'o3', at: T + DAY_MS, user: 'u2' }),
        ]);
        assert.deepEqual(await store.getSend(ws, 'c1', 's1'), {
          campaignId: 'c1',
          sendId: 's1',
          firstReceiptMs: T,
        });
        assert.deepEqual(await sendSeries(ws, 's1', '2026-01-01', '2026-01-31'), {
          ...entry('2026-01-05 email v1', { sent: 1, unique_recipients: 1 }),
          '2026-01-05 - - unique_recipients': 1,
          ...entry('2026-01-06 email v1', { opens: 1, unique_opens: 1 }),
          ...entry('2026-01-17 email v1', { clicks: 1, unique_clicks: 1 }),
          ...entry('2026-01-18 email v1', { clicks: 2 }),
        });
        assert.deepEqual(await sendSeries(ws, 's1', '2026-01-06', '2026-01-06'), {
          ...entry('2026-01-06 email v1', { opens: 1, unique_opens: 1 }),
        });

        await store.ingest(ws, [
          event('email.Send', { id: 'r0', at: T - DAY_MS, user: 'u2', ...s1 }),
        ]);
        assert.equal((await store.getSend(ws, 'c1', 's1'))?.firstReceiptMs, T - DAY_MS);
        assert.deepEqual(await sendSeries(ws, 's1', '2026-01-01', '2026-01-31'), {
          ...entry('2026-01-04 email v1', { sent: 1, unique_recipients: 1 }),
          '2026-01-04 - - unique_recipients': 1,
          ...entry('2026-01-05 email v1', { sent: 1, unique_recipients: 1 }),
          '2026-01-05 - - unique_recipients': 1,
          ...entry('2026-01-06 email v1', { opens: 1, unique_opens: 1 }),
          ...entry('2026-01-17 email v1', { clicks: 1, unique_clicks: 1 }), // k1, k2 now cut off
        });
      });

      it('counts every event of a send before its first receipt arrives', async () => {
        const ws = await workspace();
        await store.ingest(ws, [event('email.Open', { id: 'o1', at: T + 20 * DAY_MS, ...s1 })]);
        assert.deepEqual(await store.getSend(ws, 'c1', 's1'), {
          campaignId: 'c1',
          sendId: 's1',
          firstReceiptMs: null,
        });
        assert.deepEqual(await sendSeries(ws, 's1', '2026-01-01', '2026-01-31'), {
          ...entry('2026-01-25 email v1', { opens: 1, unique_opens: 1 }),
        });
        await store.ingest(ws, [event('email.Send', { id: 'r1', at: T, ...s1 })]);
        assert.deepEqual(await sendSeries(ws, 's1', '2026-01-01', '2026-01-31'), {
          ...entry('2026-01-05 email v1', { sent: 1, unique_recipients: 1 }),
          '2026-01-05 - - unique_recipients': 1,
        });
      });
    });

    describe('reporting time zone', () => {
      // America/New_York springs forward on 2026-03-08 (a 23-hour day); Kathmandu is UTC+5:45.
      const events = (): NormalizedEvent[] => [
        event('email.Send', { id: 'a', at: '2026-03-08T04:30:00Z', user: 'u1' }), // NY 03-07 23:30 EST
        event('email.Send', { id: 'b', at: '2026-03-09T03:30:00Z', user: 'u2' }), // NY 03-08 23:30 EDT
        event('email.Send', { id: 'c', at: '2026-03-09T04:30:00Z', user: 'u3' }), // NY 03-09 00:30 EDT
        event('email.Open', { id: 'd', at: '2026-03-08T18:14:00Z', user: 'u4', send_id: 's' }), // KTM 03-08 23:59
        event('email.Open', { id: 'e', at: '2026-03-08T18:15:00Z', user: 'u5', send_id: 's' }), // KTM 03-09 00:00
      ];
      const send = (d: string, n: number) => ({
        ...entry(`${d} email v1`, { sent: n, unique_recipients: n }),
        [`${d} - - unique_recipients`]: n,
      });
      const opens = (d: string, n: number) => entry(`${d} email v1`, { opens: n, unique_opens: n });

      it('recounts past days when the zone changes, and new events use the new zone', async () => {
        const ws = await workspace();
        await store.ingest(ws, events());
        assert.deepEqual(await series(ws, '2026-03-06', '2026-03-10'), {
          ...send('2026-03-08', 1),
          ...send('2026-03-09', 2),
          ...opens('2026-03-08', 2),
        });

        await store.setTimezone(ws, 'America/New_York');
        assert.equal((await store.getWorkspace(ws))?.timezone, 'America/New_York');
        assert.deepEqual(await series(ws, '2026-03-06', '2026-03-10'), {
          ...send('2026-03-07', 1),
          ...send('2026-03-08', 1),
          ...send('2026-03-09', 1),
          ...opens('2026-03-08', 2),
        });

        await store.setTimezone(ws, 'Asia/Kathmandu');
        assert.deepEqual(await series(ws, '2026-03-06', '2026-03-10'), {
          ...send('2026-03-08', 1),
          ...send('2026-03-09', 2),
          ...opens('2026-03-08', 1),
          ...opens('2026-03-09', 1),
        });
        assert.deepEqual(await sendSeries(ws, 's', '2026-03-06', '2026-03-10'), {
          ...opens('2026-03-08', 1),
          ...opens('2026-03-09', 1),
        });

        await store.ingest(ws, [
          event('email.Send', { id: 'f', at: '2026-03-09T18:14:00Z', user: 'u6' }), // KTM 03-09 23:59
        ]);
        assert.deepEqual(await series(ws, '2026-03-09', '2026-03-09'), {
          ...send('2026-03-09', 3),
          ...opens('2026-03-09', 1),
        });
      });

      it('a workspace created in a zone counts as one switched to it', async () => {
        const created = await workspace('America/New_York');
        const switched = await workspace();
        await store.ingest(created, events());
        await store.ingest(switched, events());
        await store.setTimezone(switched, 'America/New_York');
        assert.deepEqual(
          await series(created, '2026-03-01', '2026-03-31'),
          await series(switched, '2026-03-01', '2026-03-31'),
        );
      });
    });

    describe('campaign model', () => {
      const T = Date.parse('2026-01-05T00:00:00Z');
      const HOUR = 3_600_000;

      it('a campaign first seen in events: names, channels and variations from the events', async () => {
        const ws = await workspace();
        assert.equal(await store.getCampaign(ws, 'c1'), undefined);
        // Arrival order is the reverse of event order: the model must not depend on it.
        await store.ingest(ws, [
          event('email.Open', { id: 'n', at: T + 9 * HOUR, variation: 'v1' }),
          event('email.Send', {
            id: 'm',
            at: T + 5 * HOUR,
            variation: 'v1',
            campaign_name: 'New name',
            message_variation_name: 'First',
          }),
        ]);
        await store.ingest(ws, [
          event('users.campaigns.EnrollInControl', { id: 'l', at: T, variation: 'cg' }),
          event('email.Send', { id: 'k', at: T + 2 * HOUR, variation: 'v1' }),
          event('pushnotification.Send', {
            id: 'b',
            at: T + HOUR,
            variation: 'v3',
            platform: 'ios',
          }),
          event('email.Send', {
            id: 'a',
            at: T + HOUR,
            variation: 'v2',
            campaign_name: 'Old name',
          }),
        ]);
        assert.deepEqual(await store.getCampaign(ws, 'c1'), {
          id: 'c1',
          name: 'New name',
          channels: ['ios_push', 'email'],
          // First seen by (instant, id): v2 (T+1h, 'a'), v3 (T+1h, 'b'), v1 (T+2h); control last.
          variations: [
            { id: 'v2', name: 'v2', control: false, pushButtons: [] },
            { id: 'v3', name: 'v3', control: false, pushButtons: [] },
            { id: 'v1', name: 'First', control: false, pushButtons: [] },
            { id: 'cg', name: 'cg', control: true, pushButtons: [] },
          ],
          definition: null,
        });
        assert.equal(await store.getCampaign(await workspace(), 'c1'), undefined);
      });

      it('a definition wins for names and leads the order; seen channels and variations join it', async () => {
        const ws = await workspace();
        await store.ingest(ws, [
          event('email.Send', { id: 'a', at: T, variation: 'v2', campaign_name: 'Seen' }),
          event('email.Send', { id: 'b', at: T, variation: 'v1', message_variation_name: 'x' }),
        ]);
        const definition = {
          campaign_id: 'c1',
          name: 'Defined',
          channels: ['sms' as const],
          variations: [
            { id: 'cg', name: 'Control Group', control: true, pushButtons: [] },
            { id: 'v9', name: 'Nine' },
            { id: 'v1', name: 'One' },
          ],
        };
        await store.defineCampaign(ws, definition);
        assert.deepEqual(await store.getCampaign(ws, 'c1'), {
          id: 'c1',
          name: 'Defined',
          channels: ['email', 'sms'],
          variations: [
            { id: 'v9', name: 'Nine', control: false, pushButtons: [] },
            { id: 'v1', name: 'One', control: false, pushButtons: [] },
            { id: 'v2', name: 'v2', control: false, pushButtons: [] },
            { id: 'cg', name: 'Control Group', control: true, pushButtons: [] },
          ],
          definition,
        });
        await store.defineCampaign(ws, { campaign_id: 'c2', channels: ['webhook'] });
        assert.deepEqual(await store.getCampaign(ws, 'c2'), {
          id: 'c2',
          name: 'c2',
          channels: ['webhook'],
          variations: [],
          definition: { campaign_id: 'c2', channels: ['webhook'] },
        });
      });

      it('push buttons (SPEC §2): defined ones first, then by first appearance, in any arrival order', async () => {
        const ws = await workspace();
        await store.defineCampaign(ws, {
          campaign_id: 'c1',
          variations: [{ id: 'v1', name: 'One', push_buttons: ['Later'] }],
        });
        const open = (id: string, at: number, button: string, variation = 'v1') =>
          event('pushnotification.Open', {
            id,
            at,
            variation,
            platform: 'ios',
            button_string: button,
          });
        // Arrival order is the reverse of event order; 'Zed' is first seen at T (id 'a').
        await store.ingest(ws, [open('d', T + 3 * HOUR, 'Later'), open('c', T + 2 * HOUR, 'Buy')]);
        await store.ingest(ws, [
          open('b', T + HOUR, 'Buy'),
          open('a', T + HOUR, 'Zed'),
          open('e', T, 'Solo', 'v2'),
          event('pushnotification.Open', { id: 'f', at: T, platform: 'ios', button_string: '' }),
        ]);
        const campaign = await store.getCampaign(ws, 'c1');
        assert.deepEqual(
          campaign?.variations.map((v) => [v.id, v.pushButtons]),
          [
            ['v1', ['Later', 'Zed', 'Buy']],
            ['v2', ['Solo']],
          ],
        );
        assert.deepEqual(await series(ws, '2026-01-05', '2026-01-05'), {
          ...entry('2026-01-05 ios_push v1', {
            direct_opens: 5,
            total_opens: 5,
            body_clicks: 1,
            'push_button:Later': 1,
            'push_button:Buy': 2,
            'push_button:Zed': 1,
          }),
          ...entry('2026-01-05 ios_push v2', {
            direct_opens: 1,
            total_opens: 1,
            'push_button:Solo': 1,
          }),
        });
      });
    });

    describe('listings and created sends (SPEC §7)', () => {
      const T = Date.parse('2026-01-05T00:00:00Z');
      const HOUR = 3_600_000;
      const byId = (listings: readonly { id: string }[]) =>
        [...listings].sort((a, b) => (a.id < b.id ? -1 : 1));

      it('lists defined and seen campaigns, dated by first definition or earliest event', async () => {
        const ws = await workspace();
        assert.deepEqual(await store.listCampaigns(ws), []);
        await store.defineCampaign(
          ws,
          {
            campaign_id: 'd1',
            name: 'Defined',
            is_api_campaign: true,
            archived: true,
            tags: ['sale', 'q1'],
          },
          T + 10 * HOUR,
        );
        await store.defineCampaign(ws, { campaign_id: 'd1', name: 'Renamed' }, T + 30 * HOUR);
        // Events arrive out of order; the earliest instant and the latest name win.
        await store.ingest(ws, [
          event('email.Send', { id: 'e2', at: T + 5 * HOUR, campaign: 's1', campaign_name: 'New' }),
          event('email.Send', { id: 'e1', at: T + 2 * HOUR, campaign: 's1', campaign_name: 'Old' }),
          // An event of d1 before its definition makes it older than its definition.
          event('email.Send', { id: 'e3', at: T + HOUR, campaign: 'd1' }),
          event('email.Send', { id: 'e4', at: T, campaign: null }),
        ]);
        assert.deepEqual(byId(await store.listCampaigns(ws)), [
          {
            id: 'd1',
            name: 'Renamed',
            createdAtMs: T + HOUR,
            lastEditedMs: T + 30 * HOUR,
            // The second definition replaced the first: no longer archived, api or tagged.
            archived: false,
            isApiCampaign: false,
            tags: [],
          },
          {
            id: 's1',
            name: 'New',
            createdAtMs: T + 2 * HOUR,
            lastEditedMs: T + 2 * HOUR,
            archived: false,
            isApiCampaign: false,
            tags: [],
          },
        ]);
        await store.defineCampaign(
          ws,
          { campaign_id: 's1', archived: true, tags: ['x'], is_api_campaign: true },
          T + 40 * HOUR,
        );
        const [, s1] = byId(await store.listCampaigns(ws));
        assert.deepEqual(s1, {
          id: 's1',
          name: 'New',
          createdAtMs: T + 2 * HOUR,
          lastEditedMs: T + 40 * HOUR,
          archived: true,
          isApiCampaign: true,
          tags: ['x'],
        });
        assert.deepEqual(await store.listCampaigns(await workspace()), []);
      });

      it('gives the receipt extremes of a campaign, ignoring engagements and other campaigns', async () => {
        const ws = await workspace();
        assert.equal(await store.receiptSpan(ws, 'c1'), undefined);
        await store.ingest(ws, [
          event('email.Open', { id: 'o', at: T - DAY_MS }),
          event('email.Send', { id: 'b', at: T + 3 * HOUR }),
        ]);
        assert.deepEqual(await store.receiptSpan(ws, 'c1'), {
          firstMs: T + 3 * HOUR,
          lastMs: T + 3 * HOUR,
        });
        await store.ingest(ws, [
          event('inappmessage.Impression', { id: 'i', at: T + 9 * HOUR }),
          event('email.Send', { id: 'a', at: T + HOUR }),
          event('email.Send', { id: 'x', at: T - 9 * DAY_MS, campaign: 'c2' }),
          event('email.Open', { id: 'late', at: T + 20 * HOUR }),
        ]);
        assert.deepEqual(await store.receiptSpan(ws, 'c1'), {
          firstMs: T + HOUR,
          lastMs: T + 9 * HOUR,
        });
      });

      it('finds a created send before any event, once per id, and only in its campaign', async () => {
        const ws = await workspace();
        await store.createSend(ws, 'c1', 'made', T);
        await store.createSend(ws, 'c1', 'made', T + HOUR);
        assert.deepEqual(await store.getSend(ws, 'c1', 'made'), {
          campaignId: 'c1',
          sendId: 'made',
          firstReceiptMs: null,
        });
        assert.equal(await store.getSend(ws, 'c2', 'made'), undefined);
        assert.equal(await store.getSend(await workspace(), 'c1', 'made'), undefined);
        assert.deepEqual(await sendSeries(ws, 'made', '2026-01-01', '2026-01-31'), {});
        await store.ingest(ws, [event('email.Send', { id: 'r', at: T, send_id: 'made' })]);
        assert.deepEqual(await store.getSend(ws, 'c1', 'made'), {
          campaignId: 'c1',
          sendId: 'made',
          firstReceiptMs: T,
        });
        assert.deepEqual(await sendSeries(ws, 'made', '2026-01-01', '2026-01-31'), {
          ...entry('2026-01-05 email v1', { sent: 1, unique_recipients: 1 }),
          '2026-01-05 - - unique_recipients': 1,
        });
      });
    });

    describe('order independence (property)', () => {
      const T = Date.parse('2026-01-05T00:00:00Z');
      const TYPES = [
        ['email.Send', {}],
        ['email.Open', {}],
        ['email.Click', {}],
        ['pushnotification.Send', { platform: 'ios' }],
        ['pushnotification.Open', { platform: 'android' }],
        ['contentcard.Impression', { content_card_id: 'A' }],
        ['contentcard.Click', { content_card_id: 'B' }],
        ['users.campaigns.EnrollInControl', {}],
      ] as const;
      // Instants near the 7-day and 14-day edges, where order mistakes would show.
      const offset = fc
        .tuple(
          fc.integer({ min: 0, max: 3 }),
          fc.constantFrom(-1, 0, 1, 3_600_000, 2 * DAY_MS, 5 * DAY_MS),
        )
        .map(([weeks, delta]) => Math.max(0, weeks * WEEK_MS + delta));
      const rawEvent = fc.record({
        type: fc.integer({ min: 0, max: TYPES.length - 1 }),
        at: offset,
        user: fc.constantFrom('u1', 'u2', 'u3'),
        variation: fc.constantFrom('v1', 'v2'),
        send: fc.constantFrom(null, 's1', 's2'),
      });
      const scenario = fc.record({
        events: fc.array(rawEvent, { minLength: 1, maxLength: 40 }),
        // Drive the shuffle, the batch cuts and the repeats of the second ingestion.
        noise: fc.array(fc.nat(), { minLength: 40, maxLength: 40 }),
      });

      it('ingesting in time order in one batch equals shuffled, split and repeated batches', async () => {
        await fc.assert(
          fc.asyncProperty(scenario, async ({ events: specs, noise }) => {
            const events = specs.map((s, i) => {
              const [type, fields] = TYPES[s.type]!;
              const variation = type.endsWith('EnrollInControl') ? 'cg' : s.variation;
              return normalized(
                currents(type, {
                  id: `e${i}`,
                  at: T + s.at,
                  user: s.user,
                  variation,
                  ...(s.send === null ? {} : { send_id: s.send }),
                  ...fields,
                }),
              );
            });
            const ordered = [...events].sort((a, b) => a.instantMs - b.instantMs);
            const shuffled = [...events];
            const pick = (i: number) => noise[i % noise.length]!;
            for (let i = shuffled.length - 1; i > 0; i--) {
              const j = pick(i) % (i + 1);
              [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
            }
            // Repeats: a few events delivered again, some of them in a later batch.
            const repeated = [...shuffled, ...shuffled.filter((_, i) => pick(i + 7) % 4 === 0)];

            const inOrder = await workspace('America/New_York');
            const scrambled = await workspace('America/New_York');
            await store.ingest(inOrder, ordered);
            for (let start = 0, b = 0; start < repeated.length; b++) {
              const size = 1 + (pick(b + 3) % 8);
              await store.ingest(scrambled, repeated.slice(start, start + size));
              start += size;
            }

            const days = range('2026-01-01', '2026-02-28');
            const sorted = (cells: SeriesCell[]) =>
              cells
                .map((c) => `${c.day} ${c.channel} ${c.variationId} ${c.metric} ${c.value}`)
                .sort();
            const expected = await store.campaignSeries(inOrder, 'c1', days);
            assert.deepEqual(
              sorted(await store.campaignSeries(scrambled, 'c1', days)),
              sorted(expected),
            );
            // Nothing lost or double counted: every email open is counted once.
            const opens = expected.filter((c) => c.metric === 'opens');
            assert.equal(
              opens.reduce((sum, c) => sum + c.value, 0),
              events.filter((e) => e.eventType.endsWith('email.Open')).length,
            );
            for (const sendId of ['s1', 's2']) {
              assert.deepEqual(
                await store.getSend(scrambled, 'c1', sendId),
                await store.getSend(inOrder, 'c1', sendId),
              );
              assert.deepEqual(
                sorted(await store.sendSeries(scrambled, 'c1', sendId, days)),
                sorted(await store.sendSeries(inOrder, 'c1', sendId, days)),
              );
            }
            assert.deepEqual(
              await store.getCampaign(scrambled, 'c1'),
              await store.getCampaign(inOrder, 'c1'),
            );
          }),
          { numRuns: 60 },
        );
      });

      // Whatever a store keeps, caches or computes incrementally (rollups, computed days, kept
      // conversions) must answer as a fresh computation would: every read between batches
      // equals a fresh workspace given the same events in one batch.
      it('every read between late, out-of-order and repeated batches equals a fresh store', async () => {
        const definition = {
          campaign_id: 'c1',
          channels: ['email' as const, 'ios_push' as const],
          variations: [
            { id: 'v1', name: 'V1' },
            { id: 'v2', name: 'V2' },
            { id: 'cg', name: 'Control', control: true },
          ],
          conversion_behaviors: [
            { type: 'Makes Any Purchase', window: 3 * 86_400 },
            { type: 'Performs Custom Event', custom_event_name: 'signup', window: 86_400 },
          ],
        };
        const interleaved = fc.record({
          events: fc.array(
            fc.record({
              kind: fc.integer({ min: 0, max: TYPES.length + 1 }),
              at: offset,
              user: fc.constantFrom('u1', 'u2', 'u3'),
              variation: fc.constantFrom('v1', 'v2'),
              send: fc.constantFrom(null, 's1'),
            }),
            { minLength: 1, maxLength: 24 },
          ),
          cuts: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 24, maxLength: 24 }),
          repeats: fc.array(fc.boolean(), { minLength: 24, maxLength: 24 }),
        });
        const days = range('2026-01-01', '2026-02-28');
        const sorted = (cells: SeriesCell[]) =>
          cells.map((c) => `${c.day} ${c.channel} ${c.variationId} ${c.metric} ${c.value}`).sort();
        await fc.assert(
          fc.asyncProperty(interleaved, async ({ events: specs, cuts, repeats }) => {
            const events = specs.map((s, i) => {
              const base = { id: `e${i}`, at: T + s.at, user: s.user };
              if (s.kind === TYPES.length) {
                return normalized(
                  currents('users.behaviors.Purchase', {
                    ...base,
                    campaign: null,
                    product_id: 'sku',
                    currency: 'USD',
                    price: 10 + i,
                  }),
                );
              }
              if (s.kind === TYPES.length + 1) {
                return normalized(
                  currents('users.behaviors.CustomEvent', {
                    ...base,
                    campaign: null,
                    name: 'signup',
                  }),
                );
              }
              const [type, fields] = TYPES[s.kind]!;
              const variation = type.endsWith('EnrollInControl') ? 'cg' : s.variation;
              const send = s.send === null ? {} : { send_id: s.send };
              return normalized(currents(type, { ...base, variation, ...send, ...fields }));
            });
            // Latest first (late events arrive after later ones), cut into batches, some repeated.
            const arrival = [...events].sort((a, b) => b.instantMs - a.instantMs);
            const live = await workspace('Europe/Berlin');
            await store.defineCampaign(live, definition);
            const seen: NormalizedEvent[] = [];
            for (let start = 0, b = 0; start < arrival.length; b++) {
              const batch = arrival.slice(start, start + cuts[b % cuts.length]!);
              start += batch.length;
              await store.ingest(live, batch);
              if (repeats[b % repeats.length]) await store.ingest(live, batch);
              seen.push(...batch);
              // The read after each batch, against a fresh workspace holding what has arrived.
              const fresh = await workspace('Europe/Berlin');
              await store.defineCampaign(fresh, definition);
              await store.ingest(fresh, seen);
              assert.deepEqual(
                sorted(await store.campaignSeries(live, 'c1', days)),
                sorted(await store.campaignSeries(fresh, 'c1', days)),
                `after batch ${b}`,
              );
              assert.deepEqual(
                sorted(await store.sendSeries(live, 'c1', 's1', days)),
                sorted(await store.sendSeries(fresh, 'c1', 's1', days)),
                `send s1 after batch ${b}`,
              );
            }
          }),
          { numRuns: 15 },
        );
      });
    });
  });
}
