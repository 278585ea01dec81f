/**
 * The behavior model of SPEC §3: what a user did that a conversion behavior can match, where it
 * comes from (Currents `users.behaviors.*` events, `/users/track` objects, email engagement of a
 * campaign, imported `users.campaigns.Conversion` events), and what a purchase is worth in USD.
 *
 * `/users/track` and Currents name the fields of a purchase, a custom event and a session start
 * the same way (`product_id`, `price`, `currency`, `quantity`, `name`, `app_id`, `properties`), so
 * one validator (`buildBehavior`) serves both and their rules cannot drift apart.
 */
import type { ConversionBehavior } from './campaign.js';
import type { ConversionType } from './campaign-definition.js';
import { BEHAVIOR_EVENT_TYPES, IMPORTED_CONVERSION, type EventFields } from './catalog.js';
import type { NormalizedEvent } from './event.js';

export type BehaviorKind = 'purchase' | 'custom_event' | 'session_start';

export interface Behavior {
  /** Workspace-unique id (the Currents event id, or see src/ingest/users-track.ts). */
  readonly id: string;
  readonly userKey: string;
  readonly instantMs: number;
  readonly kind: BehaviorKind;
  /** Purchases only. */
  readonly productId?: string;
  /** Custom events only. */
  readonly eventName?: string;
  readonly appId?: string;
  /** Purchases only: price per unit in `currency`. */
  readonly price?: number;
  /** Purchases only: 1 when the source gave none. */
  readonly quantity?: number;
  /** Purchases only: ISO 4217 code, upper case. */
  readonly currency?: string;
  /**
   * As the source sent it: an object, or the JSON-encoded string Currents exports (SPEC §2).
   * Kept so that nothing the client sent is lost; no rule reads it, so its form never decides
   * whether the behavior counts.
   */
  readonly properties?: unknown;
}

/** An email `Open` or `Click` of one campaign: what `Opens Email` / `Clicks Email` match. */
export interface EmailEngagement {
  readonly id: string;
  readonly userKey: string;
  readonly instantMs: number;
  readonly kind: 'email_open' | 'email_click';
  readonly campaignId: string;
}

/** Anything a conversion behavior can match. */
export type Action = Behavior | EmailEngagement;

/** A `users.campaigns.Conversion` event: a conversion Braze already attributed (SPEC §3). */
export interface ImportedConversion {
  readonly id: string;
  readonly userKey: string;
  readonly instantMs: number;
  readonly campaignId: string;
  readonly variationId: string;
  /** `conversion_behavior_index`: 0 = `conversions`, 1..3 = `conversions1..3`. */
  readonly behaviorIndex: number;
}

/** The identity and instant of a behavior, already validated by its source. */
export interface BehaviorEnvelope {
  readonly id: string;
  readonly userKey: string;
  readonly instantMs: number;
}

export type Parsed<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/** Braze's limits: product ids and event names up to 255 characters, quantity 1..100. */
export const MAX_NAME_LENGTH = 255;
export const MAX_QUANTITY = 100;
/** Highest `conversion_behavior_index`: four behaviors, A..D. */
const MAX_BEHAVIOR_INDEX = 3;

/** Keyed by the catalog's list, so a behavior type added there must be given a kind here. */
const BEHAVIOR_KIND_OF_EVENT_TYPE: Readonly<
  Record<(typeof BEHAVIOR_EVENT_TYPES)[number], BehaviorKind>
> = {
  'users.behaviors.Purchase': 'purchase',
  'users.behaviors.CustomEvent': 'custom_event',
  'users.behaviors.app.SessionStart': 'session_start',
};

/** The email event types `Opens Email` / `Clicks Email` match, and their action kind. */
export const EMAIL_ENGAGEMENT_KINDS: Readonly<Record<string, EmailEngagement['kind']>> = {
  'users.messages.email.Open': 'email_open',
  'users.messages.email.Click': 'email_click',
};

/** The stored (Currents) event type of each kind of behavior, whatever its source. */
export const CURRENTS_TYPE_OF_KIND: Readonly<Record<BehaviorKind, string>> = {
  purchase: 'users.behaviors.Purchase',
  custom_event: 'users.behaviors.CustomEvent',
  session_start: 'users.behaviors.app.SessionStart',
};

/** The stored event type of an action: a behavior's, or an email engagement's. */
export const EVENT_TYPE_OF_ACTION: Readonly<Record<Action['kind'], string>> = {
  ...CURRENTS_TYPE_OF_KIND,
  email_open: 'users.messages.email.Open',
  email_click: 'users.messages.email.Click',
};

class InvalidBehavior extends Error {}

function fail(reason: string): never {
  throw new InvalidBehavior(reason);
}

function parsing<T>(read: () => T): Parsed<T> {
  try {
    return { ok: true, value: read() };
  } catch (error) {
    if (error instanceof InvalidBehavior) return { ok: false, reason: error.message };
    throw error;
  }
}

function name(fields: EventFields, field: string): string {
  const value = fields[field];
  if (typeof value !== 'string' || value === '' || value.length > MAX_NAME_LENGTH) {
    fail(`${field} is required: a string of 1 to ${MAX_NAME_LENGTH} characters`);
  }
  return value;
}

function optionalString(fields: EventFields, field: string): string | undefined {
  const value = fields[field];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') fail(`${field} must be a string`);
  return value;
}

function price(fields: EventFields): number {
  const value = fields.price;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    fail('price is required: a number of 0 or more (per unit, in the base unit of currency)');
  }
  return decimalOfFloat32(value);
}

/**
 * Currents writes a purchase's `price` as a 32-bit float (SPEC §2), so 3.14 arrives as
 * 3.140000104904175. A price that is exactly a 32-bit float is read as the shortest decimal
 * that rounds to that float (3.14): the number the app logged, which is what Braze reports.
 * Any other number (a JSON double such as 0.1) is already the shortest decimal of itself.
 */
export function decimalOfFloat32(value: number): number {
  if (Math.fround(value) !== value) return value;
  for (let digits = 1; digits < 17; digits++) {
    const decimal = Number(value.toPrecision(digits));
    if (Math.fround(decimal) === value) return decimal;
  }
  return value;
}

function currency(fields: EventFields): string {
  const value = fields.currency;
  if (typeof value !== 'string' || !/^[A-Za-z]{3}$/.test(value)) {
    fail('currency is required: a three-letter ISO 4217 code such as USD');
  }
  return value.toUpperCase();
}

function quantity(fields: EventFields): number {
  const value = fields.quantity;
  if (value === undefined || value === null) return 1;
  if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > MAX_QUANTITY) {
    fail(`quantity must be an integer from 1 to ${MAX_QUANTITY}`);
  }
  return value as number;
}

/** Drops absent optional fields, so equal behaviors are deepEqual whatever their source. */
function present(behavior: Record<string, unknown>): Behavior {
  // A plain loop: entries/fromEntries cost a few µs per behavior on the ingest hot path.
  const kept: Record<string, unknown> = {};
  for (const key in behavior) {
    if (behavior[key] !== undefined) kept[key] = behavior[key];
  }
  return kept as unknown as Behavior;
}

/** Validates the fields of one behavior; a reason names the offending field. */
export function buildBehavior(
  kind: BehaviorKind,
  envelope: BehaviorEnvelope,
  fields: EventFields,
): Parsed<Behavior> {
  return parsing(() => {
    const common = { ...envelope, kind, appId: optionalString(fields, 'app_id') };
    switch (kind) {
      case 'purchase':
        return present({
          ...common,
          productId: name(fields, 'product_id'),
          price: price(fields),
          quantity: quantity(fields),
          currency: currency(fields),
          properties: fields.properties ?? undefined,
        });
      case 'custom_event':
        return present({
          ...common,
          eventName: name(fields, 'name'),
          properties: fields.properties ?? undefined,
        });
      case 'session_start':
        return present(common);
    }
  });
}

/**
 * The behavior of a Currents `users.behaviors.*` event (fields flattened as by
 * `flattenEvent`); undefined when the event type is not a behavior.
 */
export function behaviorFromCurrents(
  eventType: string,
  envelope: BehaviorEnvelope,
  fields: EventFields,
): Parsed<Behavior> | undefined {
  const kind = Object.hasOwn(BEHAVIOR_KIND_OF_EVENT_TYPE, eventType)
    ? BEHAVIOR_KIND_OF_EVENT_TYPE[eventType as (typeof BEHAVIOR_EVENT_TYPES)[number]]
    : undefined;
  return kind === undefined ? undefined : buildBehavior(kind, envelope, fields);
}

/** The email engagement an event is, when it is an email `Open` or `Click` of a campaign. */
export function emailEngagementOf(event: NormalizedEvent): EmailEngagement | undefined {
  const kind = Object.hasOwn(EMAIL_ENGAGEMENT_KINDS, event.eventType)
    ? EMAIL_ENGAGEMENT_KINDS[event.eventType]
    : undefined;
  if (kind === undefined || event.campaign === null) return undefined;
  const { id, userKey, instantMs } = event;
  return { id, userKey, instantMs, kind, campaignId: event.campaign.campaignId };
}

/** A `users.campaigns.Conversion` event; undefined for any other event type. */
export function importedConversionFromCurrents(
  eventType: string,
  envelope: BehaviorEnvelope,
  fields: EventFields,
): Parsed<ImportedConversion> | undefined {
  if (eventType !== IMPORTED_CONVERSION) return undefined;
  return parsing(() => {
    const index = fields.conversion_behavior_index;
    if (
      !Number.isInteger(index) ||
      (index as number) < 0 ||
      (index as number) > MAX_BEHAVIOR_INDEX
    ) {
      fail(`conversion_behavior_index is required: an integer from 0 to ${MAX_BEHAVIOR_INDEX}`);
    }
    return {
      ...envelope,
      campaignId: name(fields, 'campaign_id'),
      variationId: name(fields, 'message_variation_id'),
      behaviorIndex: index as number,
    };
  });
}

type Matcher = (definition: ConversionBehavior, action: Action, campaignId: string) => boolean;

/**
 * One matcher per SPEC §3 type. Typed by `ConversionType`, so adding a type to the definition
 * validator without teaching attribution to match it is a compile error.
 */
const MATCHERS: Readonly<Record<ConversionType, Matcher>> = {
  'Makes Any Purchase': (_d, action) => action.kind === 'purchase',
  'Makes Specific Purchase': (d, action) =>
    action.kind === 'purchase' && action.productId === d.product,
  'Performs Custom Event': (d, action) =>
    action.kind === 'custom_event' && action.eventName === d.custom_event_name,
  // An empty list names no app, so it matches nothing; only null (or absent) means "any app".
  'Starts Session': (d, action) =>
    action.kind === 'session_start' &&
    (d.app_ids == null || (action.appId !== undefined && d.app_ids.includes(action.appId))),
  'Opens Email': (_d, action, campaignId) =>
    action.kind === 'email_open' && action.campaignId === campaignId,
  'Clicks Email': (_d, action, campaignId) =>
    action.kind === 'email_click' && action.campaignId === campaignId,
};

/** True when `action` is a conversion of `definition` for the campaign `campaignId`. */
export function matchesBehavior(
  definition: ConversionBehavior,
  action: Action,
  campaignId: string,
): boolean {
  const matcher = Object.hasOwn(MATCHERS, definition.type)
    ? MATCHERS[definition.type as ConversionType]
    : undefined;
  return matcher !== undefined && matcher(definition, action, campaignId);
}

/**
 * Revenue is summed in integer micro-dollars: float sums depend on the order of the terms, and
 * SPEC requires answers that do not depend on arrival order. Readers divide by this at the end.
 */
export const MICROS_PER_USD = 1_000_000;

/**
 * A purchase's revenue (`price` × `quantity`) in micro-USD, or null when its currency has no rate
 * (SPEC §3: it then counts in no revenue). `usdRates` maps a currency code to the USD value of
 * one unit; USD needs no entry.
 */
export function purchaseRevenueMicros(
  purchase: Behavior,
  usdRates: ReadonlyMap<string, number>,
): number | null {
  if (purchase.kind !== 'purchase' || purchase.price === undefined) return null;
  const rate = purchase.currency === 'USD' ? 1 : usdRates.get(purchase.currency ?? '');
  if (rate === undefined) return null;
  return Math.round(purchase.price * (purchase.quantity ?? 1) * rate * MICROS_PER_USD);
}
