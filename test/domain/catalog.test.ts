/**
 * The metric catalog against SPEC §2. The expectations below are transcribed from the SPEC's
 * tables by hand, not derived from the catalog, so a wrong catalog entry fails here.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  channelMetrics,
  PUSH_BUTTON_METRIC,
  classifyMessageEvent,
  type EventFields,
  type MessageClassification,
} from '../../src/domain/catalog.js';
import { CHANNELS, type Channel } from '../../src/domain/channels.js';

const SEVEN_DAYS_MS = 604_800_000;

interface Case {
  readonly eventType: string;
  readonly fields?: EventFields;
  readonly channel: Channel;
  readonly metrics: readonly string[];
  readonly unique?: { readonly metric: string; readonly windowMs: number | null };
  readonly receipt?: boolean;
  /** Tells cases of the same event type apart in the test name. */
  readonly note?: string;
}

const PUSH = 'users.messages.pushnotification.';
const EMAIL = 'users.messages.email.';
const SMS = 'users.messages.sms.';
const WHATSAPP = 'users.messages.whatsapp.';
const WEBHOOK = 'users.messages.webhook.';
const CARD = 'users.messages.contentcard.';
const IN_APP = 'users.messages.inappmessage.';

const ios = { platform: 'ios' };

const CASES: readonly Case[] = [
  // Push (every platform gives the same metrics; the platform picks the channel, tested below).
  { eventType: `${PUSH}Send`, fields: ios, channel: 'ios_push', metrics: ['sent'], receipt: true },
  {
    eventType: `${PUSH}Open`,
    fields: { ...ios, button_string: '' },
    channel: 'ios_push',
    metrics: ['direct_opens', 'total_opens', 'body_clicks'],
    note: 'empty button_string',
  },
  {
    eventType: `${PUSH}Open`,
    fields: ios,
    channel: 'ios_push',
    metrics: ['direct_opens', 'total_opens', 'body_clicks'],
    note: 'no button_string',
  },
  {
    eventType: `${PUSH}Open`,
    fields: { ...ios, button_string: 'Buy now' },
    channel: 'ios_push',
    metrics: ['direct_opens', 'total_opens', 'push_button:Buy now'],
    note: 'a button',
  },
  {
    eventType: `${PUSH}InfluencedOpen`,
    fields: ios,
    channel: 'ios_push',
    metrics: ['total_opens'],
  },
  { eventType: `${PUSH}Bounce`, fields: ios, channel: 'ios_push', metrics: ['bounces'] },
  { eventType: `${PUSH}IosForeground`, fields: ios, channel: 'ios_push', metrics: [] },

  // Email
  { eventType: `${EMAIL}Send`, channel: 'email', metrics: ['sent'], receipt: true },
  { eventType: `${EMAIL}Delivery`, channel: 'email', metrics: ['delivered'] },
  {
    eventType: `${EMAIL}Open`,
    channel: 'email',
    metrics: ['opens'],
    unique: { metric: 'unique_opens', windowMs: SEVEN_DAYS_MS },
  },
  {
    eventType: `${EMAIL}Open`,
    fields: { machine_open: 'true' },
    channel: 'email',
    metrics: ['opens', 'machine_open'],
    unique: { metric: 'unique_opens', windowMs: SEVEN_DAYS_MS },
    note: 'machine open',
  },
  {
    eventType: `${EMAIL}Open`,
    fields: { machine_open: 'true', is_amp: true },
    channel: 'email',
    metrics: ['opens', 'machine_open', 'machine_amp_open'],
    unique: { metric: 'unique_opens', windowMs: SEVEN_DAYS_MS },
    note: 'machine AMP open',
  },
  {
    eventType: `${EMAIL}Open`,
    fields: { machine_open: 'false', is_amp: true },
    channel: 'email',
    metrics: ['opens'],
    unique: { metric: 'unique_opens', windowMs: SEVEN_DAYS_MS },
    note: 'AMP open by a person',
  },
  {
    eventType: `${EMAIL}Click`,
    channel: 'email',
    metrics: ['clicks'],
    unique: { metric: 'unique_clicks', windowMs: SEVEN_DAYS_MS },
  },
  { eventType: `${EMAIL}Bounce`, channel: 'email', metrics: ['bounces'] },
  { eventType: `${EMAIL}SoftBounce`, channel: 'email', metrics: [] },
  { eventType: `${EMAIL}Deferral`, channel: 'email', metrics: [] },
  { eventType: `${EMAIL}MarkAsSpam`, channel: 'email', metrics: ['reported_spam'] },
  { eventType: `${EMAIL}Unsubscribe`, channel: 'email', metrics: ['unsubscribes'] },

  // SMS
  { eventType: `${SMS}Send`, channel: 'sms', metrics: ['sent'], receipt: true },
  { eventType: `${SMS}CarrierSend`, channel: 'sms', metrics: ['sent_to_carrier'] },
  { eventType: `${SMS}Delivery`, channel: 'sms', metrics: ['delivered'] },
  { eventType: `${SMS}Rejection`, channel: 'sms', metrics: ['rejected'] },
  { eventType: `${SMS}DeliveryFailure`, channel: 'sms', metrics: ['delivery_failed'] },
  { eventType: `${SMS}ShortLinkClick`, channel: 'sms', metrics: ['clicks'] },
  {
    eventType: `${SMS}InboundReceive`,
    fields: { action: 'unsubscribed', message_body: 'STOP' },
    channel: 'sms',
    metrics: ['opt_out'],
    note: 'STOP',
  },
  {
    eventType: `${SMS}InboundReceive`,
    fields: { message_body: '  help \n' },
    channel: 'sms',
    metrics: ['help'],
    note: 'padded help',
  },
  {
    eventType: `${SMS}InboundReceive`,
    fields: { message_body: 'Info' },
    channel: 'sms',
    metrics: ['help'],
    note: 'Info',
  },
  {
    eventType: `${SMS}InboundReceive`,
    fields: { action: 'subscribed', message_body: 'HELP me' },
    channel: 'sms',
    metrics: [],
    note: 'other text',
  },

  // WhatsApp
  { eventType: `${WHATSAPP}Send`, channel: 'whats_app', metrics: ['sent'], receipt: true },
  { eventType: `${WHATSAPP}Delivery`, channel: 'whats_app', metrics: ['delivered'] },
  { eventType: `${WHATSAPP}Failure`, channel: 'whats_app', metrics: ['failed'] },
  { eventType: `${WHATSAPP}Read`, channel: 'whats_app', metrics: ['read'] },

  // Webhook
  { eventType: `${WEBHOOK}Send`, channel: 'webhook', metrics: ['sent'], receipt: true },
  { eventType: `${WEBHOOK}Failure`, channel: 'webhook', metrics: ['errors'] },

  // Content cards: the Impression is the receipt, not the Send.
  { eventType: `${CARD}Send`, channel: 'content_cards', metrics: ['sent'] },
  {
    eventType: `${CARD}Impression`,
    fields: { content_card_id: 'card1' },
    channel: 'content_cards',
    metrics: ['total_impressions'],
    unique: { metric: 'unique_impressions', windowMs: null },
    receipt: true,
  },
  {
    eventType: `${CARD}Click`,
    fields: { content_card_id: 'card1' },
    channel: 'content_cards',
    metrics: ['total_clicks'],
    unique: { metric: 'unique_clicks', windowMs: null },
  },
  {
    eventType: `${CARD}Dismiss`,
    fields: { content_card_id: 'card1' },
    channel: 'content_cards',
    metrics: ['total_dismissals'],
    unique: { metric: 'unique_dismissals', windowMs: null },
  },

  // In-app messages
  {
    eventType: `${IN_APP}Impression`,
    channel: 'trigger_in_app_message',
    metrics: ['impressions'],
    receipt: true,
  },
  {
    eventType: `${IN_APP}Click`,
    channel: 'trigger_in_app_message',
    metrics: ['clicks'],
    note: 'body',
  },
  {
    eventType: `${IN_APP}Click`,
    fields: { button_id: '0' },
    channel: 'trigger_in_app_message',
    metrics: ['first_button_clicks'],
    note: 'button 0',
  },
  {
    eventType: `${IN_APP}Click`,
    fields: { button_id: '1' },
    channel: 'trigger_in_app_message',
    metrics: ['second_button_clicks'],
    note: 'button 1',
  },
  {
    // SPEC names buttons 0 and 1 only; a third button counts nowhere rather than as a body click.
    eventType: `${IN_APP}Click`,
    fields: { button_id: '2' },
    channel: 'trigger_in_app_message',
    metrics: [],
    note: 'button 2',
  },
];

/** Every metric SPEC §2 lists for each channel (the union of its rows, unique_* included). */
const PUSH_METRICS = ['sent', 'direct_opens', 'total_opens', 'body_clicks', 'bounces'];
const CHANNEL_METRICS: Readonly<Record<Channel, readonly string[]>> = {
  ios_push: PUSH_METRICS,
  android_push: PUSH_METRICS,
  kindle_push: PUSH_METRICS,
  web_push: PUSH_METRICS,
  email: [
    'sent',
    'delivered',
    'opens',
    'machine_open',
    'machine_amp_open',
    'unique_opens',
    'clicks',
    'unique_clicks',
    'bounces',
    'reported_spam',
    'unsubscribes',
  ],
  sms: [
    'sent',
    'sent_to_carrier',
    'delivered',
    'rejected',
    'delivery_failed',
    'clicks',
    'opt_out',
    'help',
  ],
  whats_app: ['sent', 'delivered', 'failed', 'read'],
  webhook: ['sent', 'errors'],
  content_cards: [
    'sent',
    'total_impressions',
    'unique_impressions',
    'total_clicks',
    'unique_clicks',
    'total_dismissals',
    'unique_dismissals',
  ],
  trigger_in_app_message: ['impressions', 'clicks', 'first_button_clicks', 'second_button_clicks'],
};

const sorted = (values: readonly string[]): string[] => [...values].sort();

function asMessage(result: MessageClassification) {
  assert.equal(result.kind, 'message');
  return result as Extract<MessageClassification, { kind: 'message' }>;
}

describe('classifyMessageEvent follows SPEC §2', () => {
  for (const c of CASES) {
    it(`${c.eventType}${c.note ? ` (${c.note})` : ''}`, () => {
      const result = asMessage(classifyMessageEvent(c.eventType, c.fields ?? {}));
      assert.equal(result.channel, c.channel);
      assert.deepEqual(sorted(result.metrics), sorted(c.metrics));
      assert.deepEqual(
        result.unique && { metric: result.unique.metric, windowMs: result.unique.windowMs },
        c.unique ?? null,
      );
      assert.equal(result.receipt, c.receipt ?? false);
      for (const metric of [...result.metrics, ...(result.unique ? [result.unique.metric] : [])]) {
        // A push button's key is named per campaign by the series (SPEC §2), not the catalog.
        if (metric.startsWith(PUSH_BUTTON_METRIC)) continue;
        assert.ok(channelMetrics(c.channel).includes(metric), `${metric} is reported`);
      }
    });
  }

  it('maps each push platform to its channel', () => {
    const expected: Record<string, Channel> = {
      ios: 'ios_push',
      tvos: 'ios_push',
      android: 'android_push',
      kindle: 'kindle_push',
      web: 'web_push',
    };
    for (const [platform, channel] of Object.entries(expected)) {
      assert.equal(asMessage(classifyMessageEvent(`${PUSH}Send`, { platform })).channel, channel);
    }
  });

  it('refuses a push event with a missing or unknown platform', () => {
    for (const fields of [{}, { platform: 'windows' }, { platform: 'IOS' }, { platform: 7 }]) {
      assert.deepEqual(classifyMessageEvent(`${PUSH}Send`, fields), {
        kind: 'bad_platform',
        platform: (fields as { platform?: unknown }).platform,
      });
    }
  });

  it('does not mistake Object.prototype members for platforms or event suffixes', () => {
    assert.equal(
      classifyMessageEvent(`${PUSH}Send`, { platform: 'constructor' }).kind,
      'bad_platform',
    );
    const result = asMessage(classifyMessageEvent(`${EMAIL}toString`, {}));
    assert.deepEqual(result.metrics, []);
    assert.equal(result.receipt, false);
  });

  it('keeps content card uniqueness per card and per kind', () => {
    const chain = (suffix: string, card: string) =>
      asMessage(classifyMessageEvent(`${CARD}${suffix}`, { content_card_id: card })).unique?.chain;
    assert.equal(chain('Impression', 'a'), chain('Impression', 'a'));
    assert.notEqual(chain('Impression', 'a'), chain('Impression', 'b'));
    assert.notEqual(chain('Impression', 'a'), chain('Click', 'a'));
    assert.notEqual(chain('Click', 'a'), chain('Dismiss', 'a'));
  });

  it('keeps email opens and clicks in separate unique chains', () => {
    const chain = (suffix: string) =>
      asMessage(classifyMessageEvent(`${EMAIL}${suffix}`, {})).unique?.chain;
    assert.notEqual(chain('Open'), chain('Click'));
  });

  it('says an event outside the message families is not a message', () => {
    for (const type of [
      'users.campaigns.EnrollInControl',
      'users.behaviors.Purchase',
      'users.canvas.Entry',
      'users.messages.fax.Send',
    ]) {
      assert.deepEqual(classifyMessageEvent(type, {}), { kind: 'not_a_message' });
    }
  });
});

describe('channelMetrics', () => {
  for (const channel of CHANNELS) {
    it(`lists every ${channel} metric of SPEC §2`, () => {
      assert.deepEqual(sorted(channelMetrics(channel)), sorted(CHANNEL_METRICS[channel]));
    });
  }
});
