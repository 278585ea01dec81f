import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHANNELS } from '../../src/domain/channels.js';
import { validateCampaignDefinition } from '../../src/domain/campaign-definition.js';
import type { NormalizedEvent } from '../../src/domain/event.js';
import { dayNumber, localDay } from '../../src/domain/time.js';
import { normalizeEvent } from '../../src/ingest/currents.js';
import { DEMO_CAMPAIGNS, DEMO_CURRENCY_RATES } from '../../src/cli/demo/campaigns.js';
import { installDemo } from '../../src/cli/demo/load.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { removeDataDir, tempDataDir } from './cli-process.js';
import {
  DEMO_BATCH_SIZE,
  DEMO_DAYS,
  demoEventBatches,
  type RawEvent,
} from '../../src/cli/demo/generator.js';

const END_DAY = dayNumber(2026, 3, 15);
const SEVEN_DAYS_S = 7 * 86_400;

function generate(seed: number, events: number): RawEvent[][] {
  return [...demoEventBatches({ seed, endDay: END_DAY, events })];
}

function normalizeAll(raw: readonly RawEvent[]): NormalizedEvent[] {
  return raw.map((event) => {
    const result = normalizeEvent(event);
    if (!result.ok) assert.fail(`event ${String(event.id)} is invalid: ${result.reason}`);
    return result.event;
  });
}

/** Event counts by full event type (and `type|field=value` for the fields given). */
function countBy(events: readonly RawEvent[], type: string, field?: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const event of events) {
    if (event.event_type !== type) continue;
    const key = field === undefined ? '' : String(event[field] ?? '');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

const count = (events: readonly RawEvent[], type: string): number =>
  countBy(events, `users.messages.${type}`).get('') ?? 0;

const distinct = (events: readonly RawEvent[], type: string, key: (e: RawEvent) => string) =>
  new Set(events.filter((e) => e.event_type === `users.messages.${type}`).map(key)).size;

const userOf = (event: RawEvent): string => String(event.external_user_id ?? event.user_id);

const BEHAVIOR_PREFIX = 'users.behaviors.';
const isBehavior = (event: RawEvent): boolean =>
  String(event.event_type).startsWith(BEHAVIOR_PREFIX);

describe('demo generator', () => {
  const sample = generate(7, 100_000).flat();
  const normalized = normalizeAll(sample);

  it('is deterministic: the same seed gives the same events, another seed others', () => {
    const first = generate(3, 20_000);
    assert.deepEqual(generate(3, 20_000), first);
    assert.notDeepEqual(generate(4, 20_000), first);
  });

  it('generates at least the events asked for, in batches of 5,000, with unique ids', () => {
    const batches = generate(7, 100_000);
    assert.ok(batches.slice(0, -1).every((batch) => batch.length === DEMO_BATCH_SIZE));
    const total = batches.reduce((sum, batch) => sum + batch.length, 0);
    assert.ok(total >= 100_000 && total < 101_000, `total ${total}`);
    assert.equal(new Set(sample.map((e) => e.id)).size, sample.length);
  });

  it('covers the 90 days ending on the end day, and nothing after it', () => {
    const days = new Set(normalized.map((e) => localDay(e.instantMs, 'UTC')));
    assert.equal(Math.max(...days), END_DAY);
    assert.equal(Math.min(...days), END_DAY - DEMO_DAYS + 1);
    assert.equal(days.size, DEMO_DAYS);
  });

  it('has a weekly rhythm: a Tuesday carries more sends than a Sunday', () => {
    const sendsOn = (weekday: number): number =>
      normalized.filter((e) => e.receipt && (localDay(e.instantMs, 'UTC') + 4) % 7 === weekday)
        .length;
    assert.ok(sendsOn(2) > 1.3 * sendsOn(0), `Tuesday ${sendsOn(2)}, Sunday ${sendsOn(0)}`);
  });

  it('counts for a campaign on every channel but Kindle push, with control enrolments and send ids', () => {
    const channels = new Set(normalized.map((e) => e.channel));
    for (const channel of CHANNELS.filter((c) => c !== 'kindle_push')) {
      assert.ok(channels.has(channel), `no ${channel} event`);
    }
    assert.ok(normalized.some((e) => e.enrolsControl));
    const sendIds = new Set(normalized.map((e) => e.sendId).filter((id) => id !== null));
    assert.ok(sendIds.size >= 20, `${sendIds.size} send ids`);
    const messages = normalized.filter((e) => e.behavior === undefined);
    assert.ok(messages.filter((e) => e.campaign !== null).length > 0.99 * messages.length);
  });

  it('only uses campaigns, variations and channels the demo defines, and every definition is valid', () => {
    for (const { definition } of DEMO_CAMPAIGNS) {
      assert.ok(validateCampaignDefinition(definition).ok, definition.campaign_id);
    }
    const defined = new Map(DEMO_CAMPAIGNS.map((c) => [c.definition.campaign_id, c.definition]));
    const seen = new Set<string>();
    for (const event of sample.filter((e) => !isBehavior(e))) {
      const definition = defined.get(String(event.campaign_id));
      assert.ok(definition, `undefined campaign ${String(event.campaign_id)}`);
      assert.ok(definition.variations.some((v) => v.id === event.message_variation_id));
    }
    // Events that count nowhere (soft bounces, deferrals) have no channel.
    for (const event of normalized.filter((e) => e.behavior === undefined)) {
      const definition = defined.get(String(event.campaign?.campaignId))!;
      if (event.channel) {
        assert.ok(
          definition.channels!.includes(event.channel),
          `${event.channel} in ${definition.campaign_id}`,
        );
        seen.add(`${definition.campaign_id}/${event.channel}`);
      }
    }
    for (const { definition } of DEMO_CAMPAIGNS) {
      for (const channel of definition.channels!) {
        assert.ok(
          seen.has(`${definition.campaign_id}/${channel}`),
          `no ${channel} in ${definition.campaign_id}`,
        );
      }
    }
  });

  it('follows realistic funnels on every channel', () => {
    const emailOpeners = distinct(sample, 'email.Open', userOf);
    const emailClickers = distinct(sample, 'email.Click', userOf);
    assert.ok(
      count(sample, 'email.Send') >=
        count(sample, 'email.Delivery') + count(sample, 'email.Bounce'),
    );
    assert.ok(count(sample, 'email.Delivery') > emailOpeners);
    assert.ok(emailOpeners > emailClickers && emailClickers > 0);
    for (const rare of ['Bounce', 'SoftBounce', 'Unsubscribe', 'MarkAsSpam']) {
      assert.ok(count(sample, `email.${rare}`) > 0, `no email ${rare}`);
    }
    const machine = countBy(sample, 'users.messages.email.Open', 'machine_open');
    assert.ok((machine.get('true') ?? 0) > 0 && (machine.get('false') ?? 0) > 0);

    const pushSends = count(sample, 'pushnotification.Send');
    const pushOpens = count(sample, 'pushnotification.Open');
    assert.ok(pushSends > pushOpens + count(sample, 'pushnotification.InfluencedOpen'));
    assert.ok(pushOpens > 0 && count(sample, 'pushnotification.Bounce') > 0);

    assert.ok(
      count(sample, 'sms.Send') >=
        count(sample, 'sms.CarrierSend') + count(sample, 'sms.Rejection'),
    );
    assert.ok(
      count(sample, 'sms.CarrierSend') >=
        count(sample, 'sms.Delivery') + count(sample, 'sms.DeliveryFailure'),
    );
    assert.ok(count(sample, 'sms.Delivery') > count(sample, 'sms.ShortLinkClick'));
    const replies = normalized.filter((e) => e.eventType === 'users.messages.sms.InboundReceive');
    assert.ok(
      replies.some((e) => e.metrics.includes('opt_out')),
      'no SMS opt-out',
    );
    assert.ok(
      replies.some((e) => e.metrics.includes('help')),
      'no SMS HELP',
    );

    assert.ok(
      count(sample, 'whatsapp.Send') >=
        count(sample, 'whatsapp.Delivery') + count(sample, 'whatsapp.Failure'),
    );
    assert.ok(count(sample, 'whatsapp.Delivery') > count(sample, 'whatsapp.Read'));
    assert.ok(count(sample, 'webhook.Send') > count(sample, 'webhook.Failure'));
    assert.ok(count(sample, 'webhook.Failure') > 0);

    const inAppClicks = countBy(sample, 'users.messages.inappmessage.Click', 'button_id');
    assert.deepEqual([...inAppClicks.keys()].sort(), ['', '0', '1']);
    assert.ok(count(sample, 'inappmessage.Impression') > count(sample, 'inappmessage.Click'));
  });

  it('repeats engagement: re-opens 7 days apart and content cards seen several times', () => {
    const opens = new Map<string, number[]>();
    for (const event of sample) {
      if (event.event_type !== 'users.messages.email.Open' || event.machine_open === 'true')
        continue;
      const key = `${String(event.campaign_id)}|${userOf(event)}`;
      opens.set(key, [...(opens.get(key) ?? []), event.time as number]);
    }
    const spans = [...opens.values()].map((times) => Math.max(...times) - Math.min(...times));
    assert.ok(spans.filter((span) => span >= SEVEN_DAYS_S).length > 10, 'no re-open 7 days later');

    const impressions = count(sample, 'contentcard.Impression');
    const cardViewers = distinct(
      sample,
      'contentcard.Impression',
      (e) => `${userOf(e)}|${String(e.content_card_id)}`,
    );
    assert.ok(
      impressions > 1.2 * cardViewers,
      `${impressions} impressions by ${cardViewers} viewers`,
    );
    assert.ok(count(sample, 'contentcard.Send') > cardViewers);
  });

  it('never has engagement before the message reached the user', () => {
    // Per (campaign, user, channel family): the earliest event is the send (or the impression,
    // or the control enrolment), never an open or a click.
    const FIRST_TYPES = /\.(Send|Impression)$|EnrollInControl$/;
    const first = new Map<string, RawEvent>();
    for (const event of sample.filter((e) => !isBehavior(e))) {
      const family = String(event.event_type).split('.').slice(0, 3).join('.');
      const key = `${String(event.campaign_id)}|${userOf(event)}|${family}`;
      const current = first.get(key);
      const earlier =
        !current ||
        (event.time as number) < (current.time as number) ||
        (event.time === current.time && FIRST_TYPES.test(String(event.event_type)));
      if (earlier) first.set(key, event);
    }
    for (const event of first.values()) assert.match(String(event.event_type), FIRST_TYPES);
  });

  it('emits valid behaviors without campaign fields, in USD and a few in EUR', () => {
    const behaviors = normalized.filter((e) => e.eventType.startsWith(BEHAVIOR_PREFIX));
    // Every behavior event is one the attribution reads (a malformed one would have none).
    assert.ok(behaviors.every((e) => e.behavior !== undefined && e.campaign === null));
    const kinds = new Map<string, number>();
    for (const e of behaviors) kinds.set(e.behavior!.kind, (kinds.get(e.behavior!.kind) ?? 0) + 1);
    for (const kind of ['purchase', 'custom_event', 'session_start']) {
      assert.ok((kinds.get(kind) ?? 0) > 20, `${kind}: ${kinds.get(kind) ?? 0}`);
    }
    // A realistic share: a few percent of the events, not a flood.
    assert.ok(behaviors.length < 0.1 * normalized.length, `${behaviors.length} behaviors`);
    const currencies = countBy(sample, 'users.behaviors.Purchase', 'currency');
    assert.ok((currencies.get('EUR') ?? 0) > 0);
    assert.ok((currencies.get('USD') ?? 0) > 10 * (currencies.get('EUR') ?? 0));
    assert.ok([...currencies.keys()].every((c) => c === 'USD' || c in DEMO_CURRENCY_RATES));
  });

  it('shows conversions and revenue in the series of the campaigns with behaviors', async () => {
    const dataDir = tempDataDir();
    const store = await openSqliteStore({ dataDir });
    try {
      // As `tally demo` loads it: definitions, the EUR rate, then the events.
      const { workspace } = await installDemo(
        store,
        { seed: 7, endDay: END_DAY, events: 30_000 },
        () => {},
      );
      const days = { firstDay: END_DAY - DEMO_DAYS + 1, lastDay: END_DAY };
      const totals = async (campaignId: string, variationId: string | null = null) => {
        const sums = new Map<string, number>();
        for (const cell of await store.campaignSeries(workspace.id, campaignId, days)) {
          if (cell.variationId !== variationId || (variationId === null && cell.channel !== null))
            continue;
          sums.set(cell.metric, (sums.get(cell.metric) ?? 0) + cell.value);
        }
        return (metric: string): number => sums.get(metric) ?? 0;
      };
      const spring = await totals('demo_spring_sale');
      assert.ok(spring('conversions') > 0 && spring('conversions_by_send_time') > 0);
      assert.ok(spring('revenue') > 0, 'no spring sale revenue');
      const alerts = await totals('demo_price_alerts');
      assert.ok(alerts('conversions') > 0 && alerts('revenue') > 0, 'no price alert conversion');
      const tips = await totals('demo_onboarding_tips');
      assert.ok(tips('conversions') > 0 && tips('conversions1') > 0);
      const control = await totals('demo_onboarding_tips', 'onboarding_cg');
      assert.ok(control('conversions') > 0, 'no control conversion');
      for (const id of ['demo_sms_flash', 'demo_crm_sync']) {
        assert.equal((await totals(id))('conversions'), 0, id);
      }
    } finally {
      await store.close();
      removeDataDir(dataDir);
    }
  });
});
