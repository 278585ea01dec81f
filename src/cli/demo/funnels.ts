/**
 * What happens to one message on one channel: the Currents events a real send produces, with
 * rates close to industry averages (email opens ~20%, push opens a few %, SMS clicks ~7%).
 * Every funnel emits its receipt first, at the delivery instant, so each delivery adds at least
 * one event; later engagement follows at realistic delays (minutes, hours, sometimes days).
 */
import { ENROLL_IN_CONTROL } from '../../domain/catalog.js';
import type { Random } from './random.js';
import { MS_PER_DAY, MS_PER_HOUR } from './rhythm.js';

const MINUTE = 60_000;

export type EventFields = Readonly<Record<string, unknown>>;
/** Adds one event of the message: its Currents type, instant and type-specific fields. */
export type Emit = (eventType: string, atMs: number, fields?: EventFields) => void;

/** One message to one user in one variation. */
export interface Delivery {
  readonly random: Random;
  readonly atMs: number;
  /** Multiplies engagement rates: the user's habits times the variation's appeal. */
  readonly engagement: number;
  readonly emit: Emit;
}

export type PushPlatformName = 'ios' | 'android' | 'web';

/** A probability scaled by engagement, capped so that even the keenest users sometimes ignore a message. */
function rate(delivery: Delivery, base: number): number {
  return Math.min(0.9, base * delivery.engagement);
}

const EMAIL = 'users.messages.email.';

export function email(delivery: Delivery): void {
  const { random, atMs, emit } = delivery;
  emit(`${EMAIL}Send`, atMs);
  let arrivedAt = atMs + random.delay(MINUTE / 2);
  const fate = random.next();
  if (fate < 0.018) return emit(`${EMAIL}Bounce`, arrivedAt);
  // Soft bounces and deferrals are stored but count nowhere (SPEC §2): the demo shows that too.
  if (fate < 0.03) return emit(`${EMAIL}SoftBounce`, arrivedAt);
  if (fate < 0.035) {
    emit(`${EMAIL}Deferral`, arrivedAt);
    arrivedAt += random.delay(15 * MINUTE);
  }
  emit(`${EMAIL}Delivery`, arrivedAt);
  // Apple Mail Privacy Protection fetches the message (an "open") whether the user reads it or not.
  if (random.chance(0.3)) {
    emit(`${EMAIL}Open`, arrivedAt + random.delay(2 * MINUTE), {
      machine_open: 'true',
      is_amp: random.chance(0.05),
    });
  }
  if (random.chance(rate(delivery, 0.2))) {
    // Readers come back to a message over the following days; the gaps are long enough that
    // some re-opens are more than 7 days after the first, which makes them unique again.
    let openedAt = arrivedAt + random.delay(3 * MS_PER_HOUR);
    const opens = random.repeats(0.4, 6);
    for (let open = 0; open < opens; open++) {
      emit(`${EMAIL}Open`, openedAt, { machine_open: 'false' });
      if (random.chance(rate(delivery, open === 0 ? 0.22 : 0.08))) {
        emit(`${EMAIL}Click`, openedAt + random.delay(MINUTE), {
          url: 'https://shop.example/sale',
        });
      }
      openedAt += random.delay(3 * MS_PER_DAY);
    }
    if (random.chance(0.004)) emit(`${EMAIL}Unsubscribe`, openedAt);
  }
  if (random.chance(0.0008)) emit(`${EMAIL}MarkAsSpam`, arrivedAt + random.delay(MS_PER_HOUR));
}

const PUSH = 'users.messages.pushnotification.';

export function push(platform: PushPlatformName, delivery: Delivery): void {
  const { random, atMs } = delivery;
  const emit = (suffix: string, at: number, fields?: EventFields): void =>
    delivery.emit(PUSH + suffix, at, { platform, ...fields });
  emit('Send', atMs);
  // Uninstalled apps and expired tokens.
  if (random.chance(0.025)) return emit('Bounce', atMs + random.delay(MINUTE));
  if (random.chance(rate(delivery, 0.05))) {
    // An empty button_string is a tap on the body (body_clicks); a few tap an action button.
    const buttonString = random.chance(0.2) ? 'Shop now' : '';
    emit('Open', atMs + random.delay(20 * MINUTE), { button_string: buttonString });
  } else if (platform !== 'web' && random.chance(rate(delivery, 0.06))) {
    emit('InfluencedOpen', atMs + random.delay(2 * MS_PER_HOUR));
  }
}

const SMS = 'users.messages.sms.';

export function sms(delivery: Delivery): void {
  const { random, atMs, emit } = delivery;
  emit(`${SMS}Send`, atMs);
  if (random.chance(0.015)) return emit(`${SMS}Rejection`, atMs + 2000);
  const carrierAt = atMs + random.delay(5000);
  emit(`${SMS}CarrierSend`, carrierAt);
  const settledAt = carrierAt + random.delay(20_000);
  if (random.chance(0.03)) return emit(`${SMS}DeliveryFailure`, settledAt);
  emit(`${SMS}Delivery`, settledAt);
  if (random.chance(rate(delivery, 0.07))) {
    emit(`${SMS}ShortLinkClick`, settledAt + random.delay(30 * MINUTE), {
      short_url: 'https://tly.example/f1',
    });
  }
  const reply = random.next();
  const repliedAt = settledAt + random.delay(MS_PER_HOUR);
  if (reply < 0.012) {
    emit(`${SMS}InboundReceive`, repliedAt, { message_body: 'STOP', action: 'unsubscribed' });
  } else if (reply < 0.018) {
    // Keywords are matched trimmed and in any case (SPEC §2), so the demo varies both.
    const body = random.pick(['HELP', 'help', ' Info ', 'INFO']);
    emit(`${SMS}InboundReceive`, repliedAt, { message_body: body, action: 'none' });
  } else if (reply < 0.03) {
    emit(`${SMS}InboundReceive`, repliedAt, { message_body: 'Thanks!', action: 'none' });
  }
}

const WHATSAPP = 'users.messages.whatsapp.';

export function whatsApp(delivery: Delivery): void {
  const { random, atMs, emit } = delivery;
  emit(`${WHATSAPP}Send`, atMs);
  if (random.chance(0.03)) return emit(`${WHATSAPP}Failure`, atMs + random.delay(10_000));
  const deliveredAt = atMs + random.delay(10_000);
  emit(`${WHATSAPP}Delivery`, deliveredAt);
  if (random.chance(rate(delivery, 0.75))) {
    emit(`${WHATSAPP}Read`, deliveredAt + random.delay(MS_PER_HOUR));
  }
}

const WEBHOOK = 'users.messages.webhook.';

export function webhook(delivery: Delivery): void {
  const { random, atMs, emit } = delivery;
  emit(`${WEBHOOK}Send`, atMs);
  if (random.chance(0.015)) emit(`${WEBHOOK}Failure`, atMs + random.delay(3000));
}

const CONTENT_CARD = 'users.messages.contentcard.';

/** A card stays in the feed: the user may see it on several visits over the following days. */
export function contentCard(cardId: string, delivery: Delivery): void {
  const { random, atMs } = delivery;
  const emit = (suffix: string, at: number): void =>
    delivery.emit(CONTENT_CARD + suffix, at, { content_card_id: cardId });
  emit('Send', atMs);
  if (!random.chance(rate(delivery, 0.6))) return;
  let seenAt = atMs + random.delay(6 * MS_PER_HOUR);
  const impressions = random.repeats(0.55, 8);
  for (let impression = 0; impression < impressions; impression++) {
    emit('Impression', seenAt);
    if (random.chance(rate(delivery, 0.06))) emit('Click', seenAt + random.delay(MINUTE));
    seenAt += random.delay(1.5 * MS_PER_DAY);
  }
  if (random.chance(0.12)) emit('Dismiss', seenAt);
}

const IN_APP = 'users.messages.inappmessage.';

/** The impression is the receipt: an in-app message exists only when the user sees it. */
export function inAppMessage(delivery: Delivery): void {
  const { random, atMs, emit } = delivery;
  emit(`${IN_APP}Impression`, atMs);
  if (!random.chance(rate(delivery, 0.15))) return;
  const clickedAt = atMs + random.delay(15_000);
  const target = random.next();
  // No button_id: a body click; "0" and "1": the first and second buttons.
  if (target < 0.5) emit(`${IN_APP}Click`, clickedAt);
  else emit(`${IN_APP}Click`, clickedAt, { button_id: target < 0.8 ? '0' : '1' });
}

/** A control-group user: enrolled at the instant the others receive the message. */
export function controlEnrolment(delivery: Delivery): void {
  delivery.emit(ENROLL_IN_CONTROL, delivery.atMs);
}
