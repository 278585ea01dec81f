/**
 * The metric catalog of SPEC §2: which metrics each Currents event adds, per channel.
 * It is data: one table of channels (prefix, metrics reported) and one table of event rules.
 * `classifyMessageEvent` is the only code that reads it.
 */
import type { Channel } from './channels.js';
import { EMAIL_UNIQUE_WINDOW_MS } from './unique-chain.js';

/** A flattened Currents event (Avro unions already unwrapped). */
export type EventFields = Readonly<Record<string, unknown>>;

export const SECONDS_PER_DAY = 86_400;

/** How repeated engagements of one user become `unique_*` metrics (SPEC §2). */
export interface UniqueRule {
  /** The metric added when the event is unique. */
  readonly metric: string;
  /** A later event is unique again this long after the last unique one; null: only the first ever. */
  readonly windowMs: number | null;
  /** The chain's name; chains are per (campaign, variation, user, chain). */
  chain(fields: EventFields): string;
}

/** A metric the event adds only when its fields say so. */
interface ConditionalMetric {
  /** A name, or one read from the fields (a push button's title). */
  readonly metric: string | ((fields: EventFields) => string);
  readonly when: (fields: EventFields) => boolean;
}

/**
 * A push open's click of the button titled T counts as the metric `push_button:T`. Its series
 * key, `notif_button_<N>_<T>_click`, depends on the campaign's other buttons, so the series
 * names it (series-shape.ts), not the event.
 */
export const PUSH_BUTTON_METRIC = 'push_button:';

/** The titles of the push buttons among an event's metrics. */
export function pushButtonTitles(metrics: readonly string[]): string[] {
  return metrics
    .filter((metric) => metric.startsWith(PUSH_BUTTON_METRIC))
    .map((metric) => metric.slice(PUSH_BUTTON_METRIC.length));
}

interface EventRule {
  /** Metrics the event always adds. */
  readonly metrics: readonly string[];
  readonly conditional?: readonly ConditionalMetric[];
  readonly unique?: UniqueRule;
  /** A receipt makes the user a recipient (SPEC §2 "Receipts"). */
  readonly receipt?: boolean;
}

interface ChannelFamily {
  /** Event type prefix, e.g. `users.messages.email.`. */
  readonly prefix: string;
  /** Every metric a channel entry of this family reports (0 when nothing happened). */
  readonly metrics: readonly string[];
  /** Keyed by event type suffix, e.g. `Open`. Suffixes not listed count nowhere. */
  readonly events: Readonly<Record<string, EventRule>>;
  /** The channel key: fixed, or chosen from the event's fields (push: by platform). */
  readonly channel: Channel | ((fields: EventFields) => Channel | undefined);
}

const isTrue = (value: unknown): boolean => value === true || value === 'true';
const sameState = (value: unknown, state: string): boolean =>
  typeof value === 'string' && value.toLowerCase() === state;
const isEmpty = (value: unknown): boolean => value === undefined || value === null || value === '';

const PUSH_PLATFORMS: Readonly<Record<string, Channel>> = {
  ios: 'ios_push',
  tvos: 'ios_push',
  android: 'android_push',
  kindle: 'kindle_push',
  web: 'web_push',
};

const contentCardUnique = (metric: string, kind: string): UniqueRule => ({
  metric,
  windowMs: null,
  chain: (fields) =>
    `${kind}:${typeof fields.content_card_id === 'string' ? fields.content_card_id : ''}`,
});

const inAppButton =
  (buttonId: string | undefined) =>
  (fields: EventFields): boolean =>
    buttonId === undefined ? isEmpty(fields.button_id) : String(fields.button_id) === buttonId;

export const CHANNEL_FAMILIES: readonly ChannelFamily[] = [
  {
    prefix: 'users.messages.pushnotification.',
    // Own keys only: a platform such as "constructor" must not find Object.prototype members.
    channel: (fields) =>
      typeof fields.platform === 'string' && Object.hasOwn(PUSH_PLATFORMS, fields.platform)
        ? PUSH_PLATFORMS[fields.platform]
        : undefined,
    metrics: ['sent', 'direct_opens', 'total_opens', 'bounces', 'body_clicks'],
    events: {
      Send: { metrics: ['sent'], receipt: true },
      Open: {
        metrics: ['direct_opens', 'total_opens'],
        conditional: [
          { metric: 'body_clicks', when: (f) => isEmpty(f.button_string) },
          {
            metric: (f) => `${PUSH_BUTTON_METRIC}${String(f.button_string)}`,
            when: (f) => !isEmpty(f.button_string),
          },
        ],
      },
      InfluencedOpen: { metrics: ['total_opens'] },
      Bounce: { metrics: ['bounces'] },
    },
  },
  {
    prefix: 'users.messages.email.',
    channel: 'email',
    metrics: [
      'sent',
      'opens',
      'unique_opens',
      'clicks',
      'unique_clicks',
      'unsubscribes',
      'bounces',
      'delivered',
      'reported_spam',
      'machine_open',
      'machine_amp_open',
    ],
    events: {
      Send: { metrics: ['sent'], receipt: true },
      Delivery: { metrics: ['delivered'] },
      Open: {
        metrics: ['opens'],
        conditional: [
          { metric: 'machine_open', when: (f) => isTrue(f.machine_open) },
          { metric: 'machine_amp_open', when: (f) => isTrue(f.machine_open) && isTrue(f.is_amp) },
        ],
        unique: {
          metric: 'unique_opens',
          windowMs: EMAIL_UNIQUE_WINDOW_MS,
          chain: () => 'email_open',
        },
      },
      Click: {
        metrics: ['clicks'],
        unique: {
          metric: 'unique_clicks',
          windowMs: EMAIL_UNIQUE_WINDOW_MS,
          chain: () => 'email_click',
        },
      },
      Bounce: { metrics: ['bounces'] },
      MarkAsSpam: { metrics: ['reported_spam'] },
      Unsubscribe: { metrics: ['unsubscribes'] },
    },
  },
  {
    prefix: 'users.messages.sms.',
    channel: 'sms',
    metrics: [
      'sent',
      'sent_to_carrier',
      'delivered',
      'rejected',
      'delivery_failed',
      'clicks',
      'opt_out',
      'help',
    ],
    events: {
      Send: { metrics: ['sent'], receipt: true },
      CarrierSend: { metrics: ['sent_to_carrier'] },
      Delivery: { metrics: ['delivered'] },
      Rejection: { metrics: ['rejected'] },
      DeliveryFailure: { metrics: ['delivery_failed'] },
      ShortLinkClick: { metrics: ['clicks'] },
      InboundReceive: {
        metrics: [],
        conditional: [
          // Braze sends `Subscribed`, `Unsubscribed`, `None`: states compare in any case (SPEC §2).
          { metric: 'opt_out', when: (f) => sameState(f.action, 'unsubscribed') },
          {
            metric: 'help',
            when: (f) =>
              typeof f.message_body === 'string' &&
              ['HELP', 'INFO'].includes(f.message_body.trim().toUpperCase()),
          },
        ],
      },
    },
  },
  {
    prefix: 'users.messages.whatsapp.',
    channel: 'whats_app',
    metrics: ['sent', 'delivered', 'failed', 'read'],
    events: {
      Send: { metrics: ['sent'], receipt: true },
      Delivery: { metrics: ['delivered'] },
      Failure: { metrics: ['failed'] },
      Read: { metrics: ['read'] },
    },
  },
  {
    prefix: 'users.messages.webhook.',
    channel: 'webhook',
    metrics: ['sent', 'errors'],
    events: {
      Send: { metrics: ['sent'], receipt: true },
      Failure: { metrics: ['errors'] },
    },
  },
  {
    prefix: 'users.messages.contentcard.',
    channel: 'content_cards',
    metrics: [
      'sent',
      'total_impressions',
      'unique_impressions',
      'total_clicks',
      'unique_clicks',
      'total_dismissals',
      'unique_dismissals',
    ],
    // The receipt of a content card is its Impression, not its Send (SPEC §2 "Receipts").
    events: {
      Send: { metrics: ['sent'] },
      Impression: {
        metrics: ['total_impressions'],
        unique: contentCardUnique('unique_impressions', 'impression'),
        receipt: true,
      },
      Click: { metrics: ['total_clicks'], unique: contentCardUnique('unique_clicks', 'click') },
      Dismiss: {
        metrics: ['total_dismissals'],
        unique: contentCardUnique('unique_dismissals', 'dismissal'),
      },
    },
  },
  {
    prefix: 'users.messages.inappmessage.',
    channel: 'trigger_in_app_message',
    metrics: ['impressions', 'clicks', 'first_button_clicks', 'second_button_clicks'],
    events: {
      Impression: { metrics: ['impressions'], receipt: true },
      Click: {
        metrics: [],
        conditional: [
          { metric: 'clicks', when: inAppButton(undefined) },
          { metric: 'first_button_clicks', when: inAppButton('0') },
          { metric: 'second_button_clicks', when: inAppButton('1') },
        ],
      },
    },
  },
];

/** Event types outside the message families that the product understands. */
export const ENROLL_IN_CONTROL = 'users.campaigns.EnrollInControl';
export const IMPORTED_CONVERSION = 'users.campaigns.Conversion';
export const BEHAVIOR_EVENT_TYPES = [
  'users.behaviors.Purchase',
  'users.behaviors.CustomEvent',
  'users.behaviors.app.SessionStart',
] as const;

export function familyOf(eventType: string): ChannelFamily | undefined {
  return CHANNEL_FAMILIES.find((family) => eventType.startsWith(family.prefix));
}

/** Every metric a channel entry reports, in catalog order. */
export function channelMetrics(channel: Channel): readonly string[] {
  const family = CHANNEL_FAMILIES.find((f) =>
    typeof f.channel === 'string'
      ? f.channel === channel
      : Object.values(PUSH_PLATFORMS).includes(channel),
  );
  return family?.metrics ?? [];
}

export type MessageClassification =
  | { readonly kind: 'not_a_message' }
  | { readonly kind: 'bad_platform'; readonly platform: unknown }
  | {
      readonly kind: 'message';
      readonly channel: Channel;
      /** Metrics added on the event's day; empty when the event type counts nowhere. */
      readonly metrics: readonly string[];
      readonly unique: {
        readonly metric: string;
        readonly windowMs: number | null;
        readonly chain: string;
      } | null;
      readonly receipt: boolean;
    };

/** What a message event adds, by the catalog. */
export function classifyMessageEvent(
  eventType: string,
  fields: EventFields,
): MessageClassification {
  const family = familyOf(eventType);
  if (!family) return { kind: 'not_a_message' };
  const channel = typeof family.channel === 'string' ? family.channel : family.channel(fields);
  if (!channel) return { kind: 'bad_platform', platform: fields.platform };
  const suffix = eventType.slice(family.prefix.length);
  // Own keys only: a suffix such as "toString" is an unknown event, not an Object.prototype member.
  const rule = Object.hasOwn(family.events, suffix) ? family.events[suffix] : undefined;
  if (!rule) return { kind: 'message', channel, metrics: [], unique: null, receipt: false };
  const metrics = [
    ...rule.metrics,
    ...(rule.conditional ?? [])
      .filter((c) => c.when(fields))
      .map((c) => (typeof c.metric === 'string' ? c.metric : c.metric(fields))),
  ];
  const unique = rule.unique
    ? {
        metric: rule.unique.metric,
        windowMs: rule.unique.windowMs,
        chain: rule.unique.chain(fields),
      }
    : null;
  return { kind: 'message', channel, metrics, unique, receipt: rule.receipt === true };
}
