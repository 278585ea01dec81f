/**
 * Synthetic Currents events for benchmarks: one multichannel campaign with a realistic mix
 * (sends, deliveries, opens, clicks) spread over `days` days before `endMs`. Deterministic.
 * With `behaviorShare`, that share of the events are behaviors instead (half purchases, half
 * custom events) by users who recently received a message (a `Send`), within the windows of
 * BENCH_CAMPAIGN_DEFINITION, so each of them has a receipt to be attributed to.
 */
import type { CampaignDefinition } from '../src/domain/campaign.js';

const CAMPAIGN = 'bench_campaign';
const MIX = [
  { type: 'users.messages.email.Send', weight: 30 },
  { type: 'users.messages.email.Delivery', weight: 28 },
  { type: 'users.messages.email.Open', weight: 15 },
  { type: 'users.messages.email.Click', weight: 5 },
  { type: 'users.messages.pushnotification.Send', weight: 15 },
  { type: 'users.messages.pushnotification.Open', weight: 7 },
];
const TOTAL_WEIGHT = MIX.reduce((sum, m) => sum + m.weight, 0);

export const BENCH_CAMPAIGN_ID = CAMPAIGN;
const CUSTOM_EVENT_NAME = 'bench_signup';
/** What the campaign is defined with when a benchmark ingests behaviors (SPEC §3). */
export const BENCH_CONVERSION_BEHAVIORS = [
  { type: 'Makes Any Purchase', window: 3 * 86_400 },
  { type: 'Performs Custom Event', custom_event_name: CUSTOM_EVENT_NAME, window: 7 * 86_400 },
] as const;
/** The campaign's definition (POST /campaigns/define) when a benchmark ingests behaviors. */
export const BENCH_CAMPAIGN_DEFINITION: CampaignDefinition = {
  campaign_id: CAMPAIGN,
  name: 'Benchmark campaign',
  channels: ['email', 'ios_push', 'android_push'],
  variations: [
    { id: 'v1', name: 'Variant 1' },
    { id: 'v2', name: 'Variant 2' },
  ],
  conversion_behaviors: BENCH_CONVERSION_BEHAVIORS,
};
/** Behaviors are by users among the last this many receipts' users. */
const RECENT_USERS = 1024;

/** A small, fast, seeded PRNG (mulberry32): benchmarks must see the same data every run. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SyntheticOptions {
  readonly count: number;
  readonly days: number;
  readonly endMs: number;
  readonly users?: number;
  readonly seed?: number;
  /** Prefix of event ids, so several runs into one store do not collide. */
  readonly idPrefix?: string;
  /** Share (0..1) of the events that are behaviors rather than message events; default 0. */
  readonly behaviorShare?: number;
}

/** Yields the events in batches, never holding more than one batch. */
export function* syntheticBatches(
  options: SyntheticOptions,
  batchSize: number,
): Generator<Record<string, unknown>[]> {
  const random = prng(options.seed ?? 1);
  const users = options.users ?? 100_000;
  const spanMs = options.days * 86_400_000;
  const behaviorShare = options.behaviorShare ?? 0;
  const endS = Math.floor(options.endMs / 1000);
  /** Users and instants (s) of recent receipts: behaviors follow them within 2 days. */
  const recent: { user: string; time: number }[] = [];
  let receipts = 0;
  let batch: Record<string, unknown>[] = [];
  for (let i = 0; i < options.count; i++) {
    const id = `${options.idPrefix ?? 'b'}${i}`;
    let event: Record<string, unknown>;
    if (recent.length > 0 && random() < behaviorShare) {
      const { user, time: after } = recent[Math.floor(random() * recent.length)]!;
      const time = Math.min(endS, after + Math.floor(random() * 2 * 86_400));
      event =
        random() < 0.5
          ? {
              id,
              event_type: 'users.behaviors.Purchase',
              time,
              external_user_id: user,
              product_id: `product${Math.floor(random() * 50)}`,
              price: Math.round(random() * 10_000) / 100,
              currency: 'USD',
            }
          : {
              id,
              event_type: 'users.behaviors.CustomEvent',
              time,
              external_user_id: user,
              name: CUSTOM_EVENT_NAME,
            };
    } else {
      let pick = random() * TOTAL_WEIGHT;
      const kind = MIX.find((m) => (pick -= m.weight) < 0) ?? MIX[0]!;
      const time = Math.floor((options.endMs - random() * spanMs) / 1000);
      const user = `user${Math.floor(random() * users)}`;
      event = {
        id,
        event_type: kind.type,
        time,
        external_user_id: user,
        campaign_id: CAMPAIGN,
        campaign_name: 'Benchmark campaign',
        message_variation_id: random() < 0.5 ? 'v1' : 'v2',
      };
      if (kind.type.includes('pushnotification')) {
        event.platform = random() < 0.6 ? 'ios' : 'android';
      }
      if (behaviorShare > 0 && kind.type.endsWith('.Send')) {
        recent[Math.min(recent.length, receipts++ % RECENT_USERS)] = { user, time };
      }
    }
    batch.push(event);
    if (batch.length === batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
