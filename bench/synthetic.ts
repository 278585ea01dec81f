/**
 * Synthetic Currents events for benchmarks: one multichannel campaign with a realistic mix
 * (sends, deliveries, opens, clicks) spread over `days` days before `endMs`. Deterministic.
 */
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
}

/** Yields the events in batches, never holding more than one batch. */
export function* syntheticBatches(
  options: SyntheticOptions,
  batchSize: number,
): Generator<Record<string, unknown>[]> {
  const random = prng(options.seed ?? 1);
  const users = options.users ?? 100_000;
  const spanMs = options.days * 86_400_000;
  let batch: Record<string, unknown>[] = [];
  for (let i = 0; i < options.count; i++) {
    let pick = random() * TOTAL_WEIGHT;
    const kind = MIX.find((m) => (pick -= m.weight) < 0) ?? MIX[0]!;
    const event: Record<string, unknown> = {
      id: `${options.idPrefix ?? 'b'}${i}`,
      event_type: kind.type,
      time: Math.floor((options.endMs - random() * spanMs) / 1000),
      external_user_id: `user${Math.floor(random() * users)}`,
      campaign_id: CAMPAIGN,
      campaign_name: 'Benchmark campaign',
      message_variation_id: random() < 0.5 ? 'v1' : 'v2',
    };
    if (kind.type.includes('pushnotification')) event.platform = random() < 0.6 ? 'ios' : 'android';
    batch.push(event);
    if (batch.length === batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
