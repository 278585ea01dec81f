/**
 * The figures the dashboard derives from series answers (SPEC §8): sums over a range of days,
 * each channel's rates (one table, data), and the confidence of a variation's conversion rate
 * against the control group's (a two-proportion z-test).
 *
 * The standard normal distribution is written here (one function, `normalCdf`): a statistics
 * library would bring far more than the one function this needs into the dashboard's bundle.
 */
import type { Channel } from './channels.js';
import { CONVERSION_FIELDS } from './series.js';

/** A rate: numerator / (denominator − less), shown only when that is above 0. */
export interface RateRule {
  readonly key: string;
  readonly label: string;
  readonly numerator: string;
  readonly denominator: string;
  readonly less?: string;
}

const rate = (key: string, label: string, numerator: string, denominator: string): RateRule => ({
  key,
  label,
  numerator,
  denominator,
});

const PUSH_RATES: readonly RateRule[] = [
  { ...rate('direct_open_rate', 'direct open', 'direct_opens', 'sent'), less: 'bounces' },
  { ...rate('total_open_rate', 'total open', 'total_opens', 'sent'), less: 'bounces' },
  rate('bounce_rate', 'bounce', 'bounces', 'sent'),
];

/** SPEC §8's table, channel by channel. */
export const CHANNEL_RATES: Readonly<Record<Channel, readonly RateRule[]>> = {
  email: [
    rate('delivery_rate', 'delivery', 'delivered', 'sent'),
    rate('unique_open_rate', 'unique open', 'unique_opens', 'delivered'),
    rate('unique_click_rate', 'unique click', 'unique_clicks', 'delivered'),
    rate('click_to_open_rate', 'click-to-open', 'unique_clicks', 'unique_opens'),
    rate('bounce_rate', 'bounce', 'bounces', 'sent'),
    rate('unsubscribe_rate', 'unsubscribe', 'unsubscribes', 'delivered'),
    rate('spam_rate', 'spam', 'reported_spam', 'delivered'),
  ],
  ios_push: PUSH_RATES,
  android_push: PUSH_RATES,
  kindle_push: PUSH_RATES,
  web_push: PUSH_RATES,
  sms: [
    rate('delivery_rate', 'delivery', 'delivered', 'sent'),
    rate('click_rate', 'click', 'clicks', 'delivered'),
    rate('opt_out_rate', 'opt-out', 'opt_out', 'delivered'),
  ],
  whats_app: [
    rate('delivery_rate', 'delivery', 'delivered', 'sent'),
    rate('read_rate', 'read', 'read', 'delivered'),
    rate('failure_rate', 'failure', 'failed', 'sent'),
  ],
  webhook: [rate('error_rate', 'error', 'errors', 'sent')],
  content_cards: [
    rate('unique_impression_rate', 'unique impression', 'unique_impressions', 'sent'),
    rate('unique_click_rate', 'unique click', 'unique_clicks', 'unique_impressions'),
  ],
  trigger_in_app_message: [rate('click_rate', 'click', 'clicks', 'impressions')],
};

/** A ratio, or null when its denominator is not above 0 (shown as "–"). */
export function ratio(numerator: number, denominator: number): number | null {
  return denominator > 0 ? numerator / denominator : null;
}

/** A rate of SPEC §8 over figures summed across a range. */
export function applyRate(
  rule: RateRule,
  figures: Readonly<Record<string, number>>,
): number | null {
  const denominator =
    (figures[rule.denominator] ?? 0) - (rule.less ? (figures[rule.less] ?? 0) : 0);
  return ratio(figures[rule.numerator] ?? 0, denominator);
}

/** The metric that counts a channel's messages going out (in-app messages have impressions). */
export function sendsMetric(channel: Channel): string {
  return channel === 'trigger_in_app_message' ? 'impressions' : 'sent';
}

/** The conversion fields of behavior index 0..3 (SPEC §3): `conversions`, `conversions1`, ... */
export function conversionField(index: number, bySendTime = false): string {
  return CONVERSION_FIELDS[index + (bySendTime ? 4 : 0)]!;
}

/** One day of a series answer, as far as sums need it. */
export interface SeriesDay {
  readonly time: string;
  readonly messages: Readonly<
    Partial<Record<Channel, readonly Readonly<Record<string, unknown>>[]>>
  >;
  readonly [figure: string]: unknown;
}

/**
 * One figure of a day of a series answer: a day-level figure (channel null) or a field of the
 * entry of that channel and variation; 0 when the entry does not report it.
 */
export function figureOfDay(
  day: SeriesDay,
  where: { readonly channel: string | null; readonly variationId: string | null },
  metric: string,
): number {
  if (where.channel === null) return Number(day[metric] ?? 0);
  const entries = day.messages[where.channel as Channel] ?? [];
  const entry = entries.find((e) => e.variation_api_id === where.variationId);
  return Number(entry?.[metric] ?? 0);
}

/** A channel entry's figures summed over the range, with its labels. */
export interface EntryTotals {
  readonly variationId: string;
  readonly name: string;
  readonly control: boolean;
  readonly figures: Readonly<Record<string, number>>;
}

export interface RangeTotals {
  /** The day-level figures (`unique_recipients`, conversions, `revenue`) summed. */
  readonly day: Readonly<Record<string, number>>;
  /** Per channel (answer order), one entry per variation (answer order, control last). */
  readonly channels: ReadonlyMap<Channel, readonly EntryTotals[]>;
}

const addNumbers = (
  into: Record<string, number>,
  from: Readonly<Record<string, unknown>>,
): void => {
  for (const [field, value] of Object.entries(from)) {
    if (typeof value === 'number') into[field] = (into[field] ?? 0) + value;
  }
};

/**
 * SPEC §8: the dashboard shows sums of the daily figures. Revenue is summed in integer cents
 * so the total does not depend on the order of the days (each day's revenue has at most cents).
 */
export function sumRange(days: readonly SeriesDay[]): RangeTotals {
  const day: Record<string, number> = {};
  const channels = new Map<
    Channel,
    Map<string, { entry: EntryTotals; sums: Record<string, number> }>
  >();
  for (const entry of days) {
    const { messages, ...figures } = entry;
    addNumbers(day, { ...figures, revenue: Math.round(Number(figures.revenue ?? 0) * 100) });
    for (const [channel, list] of Object.entries(messages) as [
      Channel,
      readonly Record<string, unknown>[],
    ][]) {
      const byVariation = channels.get(channel) ?? new Map();
      channels.set(channel, byVariation);
      for (const item of list) {
        const variationId = String(item.variation_api_id);
        let slot = byVariation.get(variationId);
        if (!slot) {
          const sums: Record<string, number> = {};
          slot = {
            sums,
            entry: {
              variationId,
              name: typeof item.variation_name === 'string' ? item.variation_name : variationId,
              control: 'enrolled' in item,
              figures: sums,
            },
          };
          byVariation.set(variationId, slot);
        }
        addNumbers(slot.sums, { ...item, revenue: Math.round(Number(item.revenue ?? 0) * 100) });
      }
    }
  }
  if ('revenue' in day) day.revenue = day.revenue! / 100;
  const result = new Map<Channel, EntryTotals[]>();
  for (const [channel, byVariation] of channels) {
    result.set(
      channel,
      [...byVariation.values()].map(({ entry, sums }) => {
        if ('revenue' in sums) sums.revenue = sums.revenue! / 100;
        return entry;
      }),
    );
  }
  return { day, channels: result };
}

/** The standard normal CDF, Φ(x) = ½ erfc(−x/√2), with erfc from Numerical Recipes' erfcc (|ε| < 1.2e-7). */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * z);
  const erfc =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t *
                              (-1.13520398 +
                                t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? 1 - erfc / 2 : erfc / 2;
}

/** A variation's conversions against the control group's, per SPEC §8. */
export interface Comparison {
  /** 1 − the two-sided p-value; null when SPEC §8 shows none (n₁ or n₀ is 0, or p is 0 or 1). */
  readonly confidence: number | null;
  /** Relative lift over control's rate; null when control converted no one. */
  readonly lift: number | null;
  /** Confidence ≥ 95% and a rate above control's. */
  readonly winner: boolean;
}

export const WINNER_CONFIDENCE = 0.95;

export function compareWithControl(c1: number, n1: number, c0: number, n0: number): Comparison {
  const rate1 = ratio(c1, n1);
  const rate0 = ratio(c0, n0);
  const lift = rate1 !== null && rate0 !== null && c0 > 0 ? (rate1 - rate0) / rate0 : null;
  const pooled = ratio(c1 + c0, n1 + n0);
  if (rate1 === null || rate0 === null || pooled === null || pooled <= 0 || pooled >= 1) {
    return { confidence: null, lift, winner: false };
  }
  const z = (rate1 - rate0) / Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0));
  const confidence = 1 - 2 * (1 - normalCdf(Math.abs(z)));
  return { confidence, lift, winner: confidence >= WINNER_CONFIDENCE && rate1 > rate0 };
}
