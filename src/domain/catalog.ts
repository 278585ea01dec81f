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
  /**
   * Every metric a channel entry of this family reports (0 when nothing happened), in answer
   * order, each with the sentence that says what it counts (explanations and docs show it).
   */
  readonly metrics: Readonly<Record<string, string>>;
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
    metrics: {
      sent: 'Each push Send of the entry, on the day of its instant.',
      direct_opens: 'Each push Open of the entry (influenced opens excluded).',
      total_opens: 'Each push Open and each InfluencedOpen of the entry.',
      bounces: 'Each push Bounce of the entry.',
      body_clicks: 'Each push Open of the entry with no (or an empty) button_string.',
    },
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
    metrics: {
      sent: 'Each email Send of the entry, on the day of its instant.',
      opens: 'Each email Open of the entry, machine opens included.',
      unique_opens:
        "Each email Open that is unique: the first of the user's opens in the variation, and each later one 7 days or more after the last unique one.",
      clicks: 'Each email Click of the entry.',
      unique_clicks:
        "Each email Click that is unique: the first of the user's clicks in the variation, and each later one 7 days or more after the last unique one.",
      unsubscribes: 'Each email Unsubscribe of the entry.',
      bounces: 'Each email Bounce of the entry (SoftBounce and Deferral count nowhere).',
      delivered: 'Each email Delivery of the entry.',
      reported_spam: 'Each email MarkAsSpam of the entry.',
      machine_open: 'Each email Open of the entry whose machine_open is true.',
      machine_amp_open: 'Each email Open of the entry whose machine_open and is_amp are both true.',
    },
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
    metrics: {
      sent: 'Each sms Send of the entry, on the day of its instant.',
      sent_to_carrier: 'Each sms CarrierSend of the entry.',
      delivered: 'Each sms Delivery of the entry.',
      rejected: 'Each sms Rejection of the entry.',
      delivery_failed: 'Each sms DeliveryFailure of the entry.',
      clicks: 'Each sms ShortLinkClick of the entry.',
      opt_out: 'Each sms InboundReceive of the entry whose action is "unsubscribed", in any case.',
      help: 'Each sms InboundReceive of the entry whose trimmed message_body is HELP or INFO, in any case.',
    },
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
    metrics: {
      sent: 'Each WhatsApp Send of the entry, on the day of its instant.',
      delivered: 'Each WhatsApp Delivery of the entry.',
      failed: 'Each WhatsApp Failure of the entry.',
      read: 'Each WhatsApp Read of the entry.',
    },
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
    metrics: {
      sent: 'Each webhook Send of the entry, on the day of its instant.',
      errors: 'Each webhook Failure of the entry.',
    },
    events: {
      Send: { metrics: ['sent'], receipt: true },
      Failure: { metrics: ['errors'] },
    },
  },
  {
    prefix: 'users.messages.contentcard.',
    channel: 'content_cards',
    metrics: {
      sent: 'Each content card Send of the entry, on the day of its instant.',
      total_impressions: 'Each content card Impression of the entry.',
      unique_impressions:
        "Each content card Impression that is the user's first ever of that card in the variation.",
      total_clicks: 'Each content card Click of the entry.',
      unique_clicks:
        "Each content card Click that is the user's first ever of that card in the variation.",
      total_dismissals: 'Each content card Dismiss of the entry.',
      unique_dismissals:
        "Each content card Dismiss that is the user's first ever of that card in the variation.",
    },
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
    metrics: {
      impressions: 'Each in-app message Impression of the entry, on the day of its instant.',
      clicks: 'Each in-app message Click of the entry without a button_id.',
      first_button_clicks: 'Each in-app message Click of the entry with button_id "0".',
      second_button_clicks: 'Each in-app message Click of the entry with button_id "1".',
    },
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

/** The `unique_*` metrics of the catalog: counted by their chains (unique-chain.ts). */
export const UNIQUE_METRICS: ReadonlySet<string> = new Set(
  CHANNEL_FAMILIES.flatMap((family) =>
    Object.values(family.events).flatMap((rule) => (rule.unique ? [rule.unique.metric] : [])),
  ),
);

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

function familyOfChannel(channel: Channel): ChannelFamily | undefined {
  return CHANNEL_FAMILIES.find((f) =>
    typeof f.channel === 'string'
      ? f.channel === channel
      : Object.values(PUSH_PLATFORMS).includes(channel),
  );
}

/** Every metric a channel entry reports, in catalog order. */
export function channelMetrics(channel: Channel): readonly string[] {
  const family = familyOfChannel(channel);
  return family ? Object.keys(family.metrics) : [];
}

const BEHAVIOR_LETTERS = ['A', 'B', 'C', 'D'] as const;

const conversionRule = (index: number, bySendTime: boolean): string =>
  `Each conversion of behavior ${BEHAVIOR_LETTERS[index]}, counted on the day of ${bySendTime ? 'the receipt it credits' : 'the converting behavior'}: a matching behavior credits the user's most recent receipt of each channel within the behavior's window, once per receipt (control users: their enrolment). For a campaign without behaviors, imported Conversion events with this behavior index count instead.`;

/** What the figures beside the channel metrics count (SPEC §2, §3). */
const FIGURE_RULES: Readonly<Record<string, string>> = {
  unique_recipients:
    "Distinct users with a receipt on the day (a Send; an Impression for content cards and in-app messages): of any channel at day level, of the entry's channel and variation in an entry. Control users are not recipients.",
  enrolled: 'Distinct users enrolled in the control group (EnrollInControl) on the day.',
  revenue:
    "Each purchase on the day (price × quantity, in USD at the workspace's rate) by a user with a receipt (control: an enrolment) within behavior A's window before it, 3 days when the campaign defines none. An entry counts it when its most recent such receipt is the entry's.",
};

/**
 * The one or two sentences saying how a figure counts: a metric of the channel's entries (null
 * channel: a day-level or control figure), or `push_button:<title>`; undefined when none.
 */
export function metricRule(channel: Channel | null, metric: string): string | undefined {
  if (metric.startsWith(PUSH_BUTTON_METRIC)) {
    return `Each push Open of the entry whose button_string is ${JSON.stringify(metric.slice(PUSH_BUTTON_METRIC.length))}.`;
  }
  const family = channel === null ? undefined : familyOfChannel(channel);
  if (family && Object.hasOwn(family.metrics, metric)) return family.metrics[metric];
  // The conversion fields of SPEC §5: conversions, conversions1..3, each also _by_send_time.
  const conversion = /^conversions([1-3]?)(_by_send_time)?$/.exec(metric);
  if (conversion) return conversionRule(Number(conversion[1] || 0), conversion[2] !== undefined);
  return Object.hasOwn(FIGURE_RULES, metric) ? FIGURE_RULES[metric] : undefined;
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
