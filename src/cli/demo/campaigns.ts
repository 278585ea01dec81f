/**
 * The demo's campaigns: their definitions (what `tally campaign define` would be given) and how
 * each one is sent: to whom, on which days, through which channel funnels. Together they cover
 * every kind of series the API answers: multichannel, A/B with a control group, an API campaign
 * with send ids, and the SMS, WhatsApp, webhook, content-card and in-app channels.
 *
 * Three campaigns define conversion behaviors (SPEC §3) and their recipients act on them:
 * purchases after the spring sale (a few in EUR, priced with DEMO_CURRENCY_RATES), a custom event
 * and app sessions after the onboarding tips (the control group converting a bit less), a specific
 * product bought after a price alert. Behaviors are the user's own events, not the campaign's:
 * attribution decides which receipt they count for.
 */
import type { CampaignDefinition, VariationDefinition } from '../../domain/campaign.js';
import { formatDay } from '../../domain/time.js';
import * as funnels from './funnels.js';
import type { Delivery } from './funnels.js';
import type { DemoUser } from './population.js';
import { hashUnit, type Random } from './random.js';
import { dayOfWeek, MS_PER_DAY, MS_PER_HOUR } from './rhythm.js';

/** One user picked to receive a campaign on a day. */
export interface Recipient {
  readonly random: Random;
  readonly user: DemoUser;
  readonly day: number;
  readonly atMs: number;
  /** The message in one variation; `appeal` scales engagement (a better variant, default 1). */
  as(variation: VariationDefinition, appeal?: number): Delivery;
  /** Emits a behavior of the user (`users.behaviors.*`): no campaign fields, dropped after the end. */
  behave(eventType: string, atMs: number, fields?: Readonly<Record<string, unknown>>): void;
}

export interface DemoCampaign {
  readonly definition: CampaignDefinition & { readonly variations: readonly VariationDefinition[] };
  /** Who can receive it (has the channel). */
  reaches(user: DemoUser): boolean;
  /** Relative share of the day's event volume; 0 on days it is not sent. */
  weight(day: number): number;
  /** API campaigns: the send id of that day's send. */
  sendId?(day: number): string;
  deliver(recipient: Recipient): void;
}

const TUESDAY = 2;
const FRIDAY = 5;
const SATURDAY = 6;
const MONDAY = 1;

const variation = (id: string, name: string): VariationDefinition => ({ id, name });

/** USD per unit of the other currencies demo purchases use; `installDemo` sets them. */
export const DEMO_CURRENCY_RATES: Readonly<Record<string, number>> = { EUR: 1.08 };

const PURCHASE = 'users.behaviors.Purchase';
const CUSTOM_EVENT = 'users.behaviors.CustomEvent';
const SESSION_START = 'users.behaviors.app.SessionStart';
const DEMO_APP_ID = 'demo_shop_app';
const PRODUCTS = ['running_shoes', 'rain_jacket', 'yoga_mat', 'water_bottle', 'backpack'];
const DAY_S = 86_400;

/** A probability scaled by the user's engagement (and the variation's appeal), capped. */
const likely = (recipient: Recipient, base: number, appeal = 1): boolean =>
  recipient.random.chance(Math.min(0.9, base * recipient.user.engagement * appeal));

/** A purchase about `meanDelayMs` after the message, priced to the cent; 1 in 12 paid in EUR. */
function purchase(
  recipient: Recipient,
  meanDelayMs: number,
  product?: string,
  price?: number,
): void {
  const { random } = recipient;
  recipient.behave(PURCHASE, recipient.atMs + random.delay(meanDelayMs), {
    product_id: product ?? random.pick(PRODUCTS),
    price: price ?? Math.round(900 + random.next() * 11_000) / 100,
    quantity: random.chance(0.2) ? 2 : 1,
    currency: random.chance(1 / 12) ? 'EUR' : 'USD',
    app_id: DEMO_APP_ID,
  });
}

const spring = variation('spring_sale_v1', 'Variant 1');
const springSale: DemoCampaign = {
  definition: {
    campaign_id: 'demo_spring_sale',
    name: 'Spring sale',
    description: 'Twice-weekly promotion on email and mobile push',
    tags: ['promo', 'multichannel'],
    channels: ['email', 'ios_push', 'android_push'],
    variations: [spring],
    conversion_behaviors: [{ type: 'Makes Any Purchase', window: 3 * DAY_S }],
  },
  reaches: (user) => user.email || user.push !== null,
  // Blasts on Tuesdays and Fridays; a trickle of triggered re-sends on other days.
  weight: (day) => ([TUESDAY, FRIDAY].includes(dayOfWeek(day)) ? 40 : 4),
  deliver(recipient) {
    const delivery = recipient.as(spring);
    if (recipient.user.email) funnels.email(delivery);
    if (recipient.user.push) funnels.push(recipient.user.push, delivery);
    // Most buyers come within the 3-day window; the exponential tail buys too late to count.
    if (likely(recipient, 0.05)) purchase(recipient, 30 * MS_PER_HOUR);
  },
};

const tipsCarousel = variation('onboarding_a', 'Carousel');
const tipsSingle = variation('onboarding_b', 'Single card');
const tipsControl: VariationDefinition = {
  id: 'onboarding_cg',
  name: 'Control Group',
  control: true,
};
const onboardingTips: DemoCampaign = {
  definition: {
    campaign_id: 'demo_onboarding_tips',
    name: 'Onboarding tips (A/B test)',
    description: 'In-app tips: carousel vs single card, 10% held out',
    tags: ['onboarding', 'ab-test'],
    channels: ['trigger_in_app_message'],
    variations: [tipsCarousel, tipsSingle, tipsControl],
    conversion_behaviors: [
      {
        type: 'Performs Custom Event',
        custom_event_name: 'completed_onboarding',
        window: 7 * DAY_S,
      },
      { type: 'Starts Session', window: DAY_S, app_ids: [DEMO_APP_ID] },
    ],
  },
  reaches: (user) => user.push !== null,
  weight: () => 10,
  deliver(recipient) {
    // A user stays in one arm for the whole test, as Braze assigns them.
    const arm = hashUnit(recipient.user.index, 0x7195);
    // The tips lift onboarding: the control group completes it less often than either variant.
    const appeal = arm < 0.1 ? 0.75 : arm < 0.55 ? 1 : 1.3;
    if (arm < 0.1) funnels.controlEnrolment(recipient.as(tipsControl));
    else if (arm < 0.55) funnels.inAppMessage(recipient.as(tipsCarousel));
    else funnels.inAppMessage(recipient.as(tipsSingle, appeal));
    if (likely(recipient, 0.12, appeal)) {
      recipient.behave(CUSTOM_EVENT, recipient.atMs + recipient.random.delay(2 * MS_PER_DAY), {
        name: 'completed_onboarding',
        app_id: DEMO_APP_ID,
        properties: { steps: 1 + recipient.random.int(5) },
      });
    }
    if (likely(recipient, 0.2, appeal)) {
      recipient.behave(SESSION_START, recipient.atMs + recipient.random.delay(6 * MS_PER_HOUR), {
        app_id: DEMO_APP_ID,
      });
    }
  },
};

const priceAlert = variation('price_alerts_msg', 'Price drop');
/** The API campaign sends every third day; each send has its own send id. */
const isPriceAlertDay = (day: number): boolean => day % 3 === 0;
const priceAlerts: DemoCampaign = {
  definition: {
    campaign_id: 'demo_price_alerts',
    name: 'Price drop alerts (API)',
    description: 'Triggered from the shop backend through the messaging API',
    is_api_campaign: true,
    tags: ['api', 'transactional'],
    channels: ['web_push', 'email'],
    variations: [priceAlert],
    conversion_behaviors: [
      {
        type: 'Makes Specific Purchase',
        product: 'noise_cancelling_headphones',
        window: 2 * DAY_S,
      },
    ],
  },
  reaches: (user) => user.webPush || user.email,
  weight: (day) => (isPriceAlertDay(day) ? 25 : 0),
  sendId: (day) => `price_drop_${formatDay(day)}`,
  deliver(recipient) {
    const delivery = recipient.as(priceAlert);
    if (recipient.user.webPush) funnels.push('web', delivery);
    else funnels.email(delivery);
    // The alerted product converts; other purchases match no behavior of this campaign.
    if (likely(recipient, 0.04)) {
      purchase(recipient, 12 * MS_PER_HOUR, 'noise_cancelling_headphones', 199);
    } else if (likely(recipient, 0.02)) purchase(recipient, 12 * MS_PER_HOUR);
  },
};

/** The send id of the API campaign's last send at least `daysAgo` days before `endDay`. */
export function priceAlertSendId(endDay: number, daysAgo: number): string {
  let day = endDay - daysAgo;
  while (!isPriceAlertDay(day)) day--;
  return priceAlerts.sendId!(day);
}

const flash = variation('sms_flash_v1', 'Flash sale text');
const smsFlash: DemoCampaign = {
  definition: {
    campaign_id: 'demo_sms_flash',
    name: 'Weekend flash sale (SMS)',
    tags: ['promo', 'sms'],
    channels: ['sms'],
    variations: [flash],
  },
  reaches: (user) => user.phone,
  weight: (day) => ({ [FRIDAY]: 22, [SATURDAY]: 14 })[dayOfWeek(day)] ?? 2,
  deliver: (recipient) => funnels.sms(recipient.as(flash)),
};

const orderUpdate = variation('whatsapp_order_v1', 'Order shipped');
const orderUpdates: DemoCampaign = {
  definition: {
    campaign_id: 'demo_whatsapp_orders',
    name: 'Order updates (WhatsApp)',
    tags: ['transactional'],
    channels: ['whats_app'],
    variations: [orderUpdate],
  },
  reaches: (user) => user.whatsApp,
  weight: () => 6,
  deliver: (recipient) => funnels.whatsApp(recipient.as(orderUpdate)),
};

const crmCall = variation('crm_sync_v1', 'CRM update');
const crmSync: DemoCampaign = {
  definition: {
    campaign_id: 'demo_crm_sync',
    name: 'CRM sync (webhook)',
    tags: ['integration'],
    channels: ['webhook'],
    variations: [crmCall],
  },
  reaches: () => true,
  weight: () => 4,
  deliver: (recipient) => funnels.webhook(recipient.as(crmCall)),
};

const reward = variation('loyalty_card_v1', 'Weekly reward');
const loyaltyCards: DemoCampaign = {
  definition: {
    campaign_id: 'demo_loyalty_cards',
    name: 'Loyalty rewards (content cards)',
    tags: ['loyalty'],
    channels: ['content_cards'],
    variations: [reward],
  },
  reaches: (user) => user.push !== null,
  // A new card every Monday, sent to late joiners during the week.
  weight: (day) => (dayOfWeek(day) === MONDAY ? 30 : 3),
  deliver(recipient) {
    // Weeks start on Mondays; day 4 (1970-01-05) was one.
    const week = Math.floor((recipient.day - 4) / 7);
    funnels.contentCard(`loyalty_week_${week}`, recipient.as(reward));
  },
};

export const DEMO_CAMPAIGNS: readonly DemoCampaign[] = [
  springSale,
  onboardingTips,
  priceAlerts,
  smsFlash,
  orderUpdates,
  crmSync,
  loyaltyCards,
];
