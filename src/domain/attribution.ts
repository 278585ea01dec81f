/**
 * Conversion and revenue attribution (SPEC §3, §4) for ONE user and ONE campaign, as a pure
 * function of that user's events. The store calls it for every (campaign, user) a batch touches,
 * compares the new credits with the ones it holds (`diffCredits`) and applies the difference, so a
 * late receipt or behavior re-attributes exactly as if the events had arrived in order.
 *
 * Every list is sorted by (instant, id) before use, so the answer depends on the inputs as sets,
 * never on the order the store read them in. "Most recent" always means the last in that order:
 * of two events at the same instant, the one with the greater id.
 */
import {
  EVENT_TYPE_OF_ACTION,
  matchesBehavior,
  purchaseRevenueMicros,
  type Action,
  type ImportedConversion,
} from './behaviors.js';
import type { Campaign, ConversionBehavior } from './campaign.js';
import { IMPORTED_CONVERSION } from './catalog.js';
import type { Channel } from './channels.js';
import type { InstantSpan } from './time.js';
import { CONVERSION_FIELDS } from './series.js';

/** SPEC §3: the revenue window when a campaign defines no behaviors (3 days). */
export const DEFAULT_REVENUE_WINDOW_SECONDS = 259_200;

/** A receipt of the campaign (SPEC §2): `Send`, or `Impression` for cards and in-app messages. */
export interface Receipt {
  readonly id: string;
  readonly instantMs: number;
  readonly channel: Channel;
  readonly variationId: string;
  readonly sendId: string | null;
}

/** A `users.campaigns.EnrollInControl` of the campaign. */
export interface Enrolment {
  readonly id: string;
  readonly instantMs: number;
  readonly variationId: string;
}

export interface AttributionInput {
  readonly campaignId: string;
  /** The campaign's conversion behaviors, in order (A..D); empty when it defines none. */
  readonly conversionBehaviors: readonly ConversionBehavior[];
  /** The campaign's control variation, so imported conversions of control users go to it. */
  readonly controlVariationId: string | null;
  /** The user's receipts of this campaign (every channel). */
  readonly receipts: readonly Receipt[];
  /** The user's control enrolments in this campaign. */
  readonly enrolments: readonly Enrolment[];
  /** The user's behaviors (any source) and email engagements; non-matching ones are ignored. */
  readonly actions: readonly Action[];
  /** The user's imported conversions of this campaign. */
  readonly imported: readonly ImportedConversion[];
  /** USD value of one unit of each currency (USD needs no entry). */
  readonly usdRates: ReadonlyMap<string, number>;
}

export type ConversionField = (typeof CONVERSION_FIELDS)[number];
export type CreditMetric = ConversionField | 'revenue';

/**
 * One number added to one series cell. `channel` and `variationId` follow `SeriesCell`:
 * both null is day level; `channel` null with a variation is the control entry.
 */
export interface Credit {
  readonly metric: CreditMetric;
  /** The instant whose local day (in the reporting zone) the credit counts on. */
  readonly dayMs: number;
  /**
   * The instant of the event that converted (behavior, purchase, imported conversion): what the
   * 14-day rule of a send series (SPEC §4) compares with the send's first receipt.
   */
  readonly eventMs: number;
  readonly channel: Channel | null;
  readonly variationId: string | null;
  /** The send of the receipt the credit is attributed to; it also counts in that send's series. */
  readonly sendId: string | null;
  /** 1 for a conversion; micro-USD (see MICROS_PER_USD) for revenue. */
  readonly value: number;
  /** Unique within one attribution result and equal for equal credits (see creditKey). */
  readonly key: string;
  /** What converted and what it credited: what an explanation lists (domain/explain.ts). */
  readonly source: CreditSource;
}

/** The event a credit comes from and the receipt or enrolment it credits. */
export interface CreditSource {
  /** The behavior, engagement, purchase or imported conversion. */
  readonly eventId: string;
  readonly eventType: string;
  readonly userKey: string;
  /** The receipt or enrolment credited; null for an imported conversion without a receipt. */
  readonly credited: Timed | null;
}

export interface Timed {
  readonly id: string;
  readonly instantMs: number;
}

/** The order of every list attribution reads (and explanations list): instant, then id. */
export function byInstantThenId(a: Timed, b: Timed): number {
  return a.instantMs - b.instantMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function sorted<T extends Timed>(items: readonly T[]): T[] {
  return [...items].sort(byInstantThenId);
}

/** The last of `items` (sorted) at or before `instantMs`, by binary search. */
function lastAtOrBefore<T extends Timed>(items: readonly T[], instantMs: number): T | undefined {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (items[middle]!.instantMs <= instantMs) low = middle + 1;
    else high = middle;
  }
  return items[low - 1];
}

/** The last of `items` (sorted) in [instantMs − windowMs, instantMs]. */
function lastWithin<T extends Timed>(
  items: readonly T[],
  instantMs: number,
  windowMs: number,
): T | undefined {
  const last = lastAtOrBefore(items, instantMs);
  return last !== undefined && last.instantMs >= instantMs - windowMs ? last : undefined;
}

/**
 * The key says which event converted against which receipt (`source`) as well as what is
 * counted where: two channels crediting the same behavior give two day-level credits that are
 * otherwise identical, and both must count.
 */
function creditKey(credit: Omit<Credit, 'key'>): string {
  const { metric, dayMs, eventMs, channel, variationId, sendId, value } = credit;
  const { eventId, credited } = credit.source;
  const source = credited === null ? eventId : `${eventId}>${credited.id}`;
  // JSON.stringify of [metric, ..., source], at a third of its cost (attribution is a hot path).
  return `[${JSON_TEXT(metric)},${JSON_TEXT(channel)},${JSON_TEXT(variationId)},${JSON_TEXT(sendId)},${dayMs},${eventMs},${value},${JSON_TEXT(source)}]`;
}

/** Characters JSON.stringify escapes in a string (controls, quote, backslash, surrogates). */
// eslint-disable-next-line no-control-regex -- control characters are what it must find
const ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

const JSON_TEXT = (text: string | null): string =>
  text === null ? 'null' : ESCAPED.test(text) ? JSON.stringify(text) : `"${text}"`;

type Target = Pick<Credit, 'channel' | 'variationId' | 'sendId'>;

const DAY_LEVEL: Target = { channel: null, variationId: null, sendId: null };

class Credits {
  readonly list: Credit[] = [];

  add(
    metric: CreditMetric,
    target: Target,
    times: { dayMs: number; eventMs: number },
    value: number,
    source: CreditSource,
  ): void {
    const { channel, variationId, sendId } = target;
    const { dayMs, eventMs } = times;
    const credit = { metric, channel, variationId, sendId, dayMs, eventMs, value, source, key: '' };
    credit.key = creditKey(credit);
    this.list.push(credit);
  }

  /** `conversionsN` on the converting event's day and `conversionsN_by_send_time` on `sentMs`'s. */
  conversion(
    index: number,
    target: Target,
    eventMs: number,
    sentMs: number,
    source: CreditSource,
  ): void {
    this.add(CONVERSION_FIELDS[index]!, target, { dayMs: eventMs, eventMs }, 1, source);
    const bySendTime = CONVERSION_FIELDS[index + CONVERSION_FIELDS.length / 2]!;
    this.add(bySendTime, target, { dayMs: sentMs, eventMs }, 1, source);
  }
}

const sourceOf = (action: Action, credited: Timed): CreditSource => ({
  eventId: action.id,
  eventType: EVENT_TYPE_OF_ACTION[action.kind],
  userKey: action.userKey,
  credited,
});

const receiptTarget = (receipt: Receipt): Target => ({
  channel: receipt.channel,
  variationId: receipt.variationId,
  sendId: receipt.sendId,
});

/** Day level carries the receipt's send id, so a send's day level sums its channel entries. */
const dayLevelOf = (receipt: Receipt | undefined): Target => ({
  ...DAY_LEVEL,
  sendId: receipt?.sendId ?? null,
});

const controlTarget = (enrolment: Enrolment): Target => ({
  channel: null,
  variationId: enrolment.variationId,
  sendId: null,
});

function receiptsByChannel(receipts: readonly Receipt[]): Receipt[][] {
  const channels = new Map<Channel, Receipt[]>();
  for (const receipt of receipts) {
    const list = channels.get(receipt.channel) ?? [];
    list.push(receipt);
    channels.set(receipt.channel, list);
  }
  return [...channels.values()];
}

/**
 * SPEC §3 "Attribution": for each matching action (in time order), each channel's most recent
 * receipt within the window is credited once per behavior; the first action to reach a receipt
 * is the one that converts, later ones in the same window find it credited. Control users
 * convert the same way against their most recent enrolment, once (not per channel).
 */
function attributeBehaviors(
  input: AttributionInput,
  channels: readonly Receipt[][],
  enrolments: readonly Enrolment[],
  actions: readonly Action[],
  credits: Credits,
): void {
  input.conversionBehaviors.forEach((definition, index) => {
    const windowMs = definition.window * 1000;
    const credited = new Set<string>();
    for (const action of actions) {
      if (!matchesBehavior(definition, action, input.campaignId)) continue;
      const tau = action.instantMs;
      for (const receipts of channels) {
        const receipt = lastWithin(receipts, tau, windowMs);
        if (receipt === undefined || credited.has(receipt.id)) continue;
        credited.add(receipt.id);
        const source = sourceOf(action, receipt);
        credits.conversion(index, receiptTarget(receipt), tau, receipt.instantMs, source);
        credits.conversion(index, dayLevelOf(receipt), tau, receipt.instantMs, source);
      }
      const enrolment = lastWithin(enrolments, tau, windowMs);
      if (enrolment !== undefined && !credited.has(enrolment.id)) {
        credited.add(enrolment.id);
        const source = sourceOf(action, enrolment);
        credits.conversion(index, controlTarget(enrolment), tau, enrolment.instantMs, source);
      }
    }
  });
}

/** SPEC §3: revenue counts within the primary behavior's window, or 3 days when none. */
function revenueWindowSeconds(behaviors: readonly ConversionBehavior[]): number {
  return behaviors[0]?.window ?? DEFAULT_REVENUE_WINDOW_SECONDS;
}

/**
 * SPEC §3 "Revenue". When several receipts fall in [τ − W, τ], the most recent one decides: SPEC
 * §4 sends revenue to the send of the most recent receipt, and one purchase must land in exactly
 * one entry per channel (two receipts of one channel in different variations would otherwise
 * count it twice in that channel). Day level follows the most recent receipt of any channel for
 * its send id. Control users count in the control entry only: day level, like day-level
 * conversions, is the recipients' figure.
 */
function attributeRevenue(
  input: AttributionInput,
  receipts: readonly Receipt[],
  channels: readonly Receipt[][],
  enrolments: readonly Enrolment[],
  actions: readonly Action[],
  credits: Credits,
): void {
  const windowMs = revenueWindowSeconds(input.conversionBehaviors) * 1000;
  for (const action of actions) {
    if (action.kind !== 'purchase') continue;
    const micros = purchaseRevenueMicros(action, input.usdRates);
    if (micros === null) continue;
    const times = { dayMs: action.instantMs, eventMs: action.instantMs };
    const latest = lastWithin(receipts, action.instantMs, windowMs);
    if (latest !== undefined) {
      credits.add('revenue', dayLevelOf(latest), times, micros, sourceOf(action, latest));
    }
    for (const channelReceipts of channels) {
      const receipt = lastWithin(channelReceipts, action.instantMs, windowMs);
      if (receipt === undefined) continue;
      credits.add('revenue', receiptTarget(receipt), times, micros, sourceOf(action, receipt));
    }
    const enrolment = lastWithin(enrolments, action.instantMs, windowMs);
    if (enrolment !== undefined) {
      credits.add('revenue', controlTarget(enrolment), times, micros, sourceOf(action, enrolment));
    }
  }
}

/**
 * SPEC §3 "Imported conversions", only for campaigns without behaviors. `_by_send_time` goes to
 * the most recent receipt at or before the conversion (at the same instant counts, as in
 * attribution), or the conversion's own day when there is none; without a receipt there is no
 * channel, so only day level counts. A conversion in the control variation goes to the control
 * entry alone, since day level excludes control.
 */
function attributeImported(
  input: AttributionInput,
  receipts: readonly Receipt[],
  credits: Credits,
): void {
  for (const conversion of sorted(input.imported)) {
    const tau = conversion.instantMs;
    const receipt = lastAtOrBefore(receipts, tau);
    const sentMs = receipt?.instantMs ?? tau;
    const source: CreditSource = {
      eventId: conversion.id,
      eventType: IMPORTED_CONVERSION,
      userKey: conversion.userKey,
      credited: receipt ?? null,
    };
    const index = conversion.behaviorIndex;
    if (conversion.variationId === input.controlVariationId) {
      const target = { channel: null, variationId: conversion.variationId, sendId: null };
      credits.conversion(index, target, tau, sentMs, source);
      continue;
    }
    credits.conversion(index, dayLevelOf(receipt), tau, sentMs, source);
    if (receipt !== undefined) {
      const target = { ...receiptTarget(receipt), variationId: conversion.variationId };
      credits.conversion(index, target, tau, sentMs, source);
    }
  }
}

/**
 * Every conversion and revenue credit of one user in one campaign. The inputs are sorted first,
 * so equal sets of inputs give the same list in the same order.
 */
export function attributeUser(input: AttributionInput): Credit[] {
  const receipts = sorted(input.receipts);
  const channels = receiptsByChannel(receipts);
  const enrolments = sorted(input.enrolments);
  const actions = sorted(input.actions);
  const credits = new Credits();
  attributeBehaviors(input, channels, enrolments, actions, credits);
  attributeRevenue(input, receipts, channels, enrolments, actions, credits);
  if (input.conversionBehaviors.length === 0) attributeImported(input, receipts, credits);
  return credits.list;
}

/** What to subtract and what to add to go from one attribution result to another. */
export function diffCredits(
  before: readonly Credit[],
  after: readonly Credit[],
): { readonly removed: Credit[]; readonly added: Credit[] } {
  const beforeKeys = new Set(before.map((credit) => credit.key));
  const afterKeys = new Set(after.map((credit) => credit.key));
  return {
    removed: before.filter((credit) => !afterKeys.has(credit.key)),
    added: after.filter((credit) => !beforeKeys.has(credit.key)),
  };
}

/**
 * Where the credits of `metric` counted in `span` (the days' instants) come from: a receipt or
 * enrolment in `receipts` and an action in `actions`. The day is the converting event's
 * (`conversions*`, `revenue`) or the receipt's (`*_by_send_time`); `actions` is null when no
 * action can credit the metric (conversions of a campaign without behaviors). Imported
 * conversions look back without a window and are not bounded here.
 */
export function creditReach(
  span: InstantSpan,
  rules: AttributionRules,
  metric: string,
): {
  readonly receipts: InstantSpan;
  readonly actions: InstantSpan | null;
  /** `*_by_send_time`: the span is the receipts'. */
  readonly onReceiptDay: boolean;
} {
  const { reachMs } = rules;
  const actionsCount = metric === 'revenue' || rules.behaviors.length > 0;
  if (metric.endsWith('_by_send_time')) {
    const actions = { fromMs: span.fromMs, toMs: span.toMs + reachMs };
    return { receipts: span, actions: actionsCount ? actions : null, onReceiptDay: true };
  }
  const receipts = { fromMs: span.fromMs - reachMs, toMs: span.toMs };
  return { receipts, actions: actionsCount ? span : null, onReceiptDay: false };
}

/** The instants whose facts decide the credits counted in `span` (see creditReach). */
export const factsSpanOf = (span: InstantSpan, rules: AttributionRules): InstantSpan => ({
  fromMs: span.fromMs - rules.reachMs,
  toMs: span.toMs + rules.reachMs,
});

/** What attribution reads of a campaign; two campaigns with equal rules attribute alike. */
export interface AttributionRules {
  readonly behaviors: readonly ConversionBehavior[];
  readonly controlVariationId: string | null;
  /** `Opens Email` / `Clicks Email`: only then do the campaign's engagement events matter. */
  readonly matchesEmail: boolean;
  /**
   * The longest window of the campaign, revenue's included: a receipt or an enrolment at `r` can
   * only be credited for actions in [r, r + reachMs], so without one there it changes nothing
   * (imported conversions excepted: they look back without a window).
   */
  readonly reachMs: number;
}

/** The rules of a campaign as a store reads it (undefined: neither defined nor seen). */
export function attributionRulesOf(campaign: Campaign | undefined): AttributionRules {
  const behaviors = campaign?.definition?.conversion_behaviors ?? [];
  return {
    behaviors,
    controlVariationId: campaign?.variations.find((v) => v.control)?.id ?? null,
    matchesEmail: behaviors.some((b) => b.type === 'Opens Email' || b.type === 'Clicks Email'),
    reachMs: Math.max(revenueWindowSeconds(behaviors), ...behaviors.map((b) => b.window)) * 1000,
  };
}
