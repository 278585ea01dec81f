/**
 * Explanations (docs/metrics.md, "Explaining a figure"): what made one figure of a series, as
 * pure functions of the facts a store read (src/store/explain.ts gathers them). Each lists
 * exactly what the figure's rule (catalog.ts `metricRule`) counts, with the same helpers the
 * stores count with (the catalog's metrics, `rankChain`, `attributeUser`, `countsInSend`), so a
 * count has as many items as its value and the amounts of revenue's items add up to it.
 */
import { byInstantThenId, type Credit } from './attribution.js';
import { MICROS_PER_USD } from './behaviors.js';
import { UNIQUE_METRICS } from './catalog.js';
import type { Channel } from './channels.js';
import type { UniqueMark } from './event.js';
import { countsInSend } from './sends.js';
import { CONVERSION_FIELDS } from './series.js';
import { formatDay, localDay, type InstantSpan } from './time.js';
import { rankChain } from './unique-chain.js';

/** One figure of a series, as a store's cells name it (SeriesCell). */
export interface Figure {
  readonly campaignId: string;
  /** The send of a send series, with its cutoff (SPEC §4); null for a campaign series. */
  readonly send: { readonly id: string; readonly cutoffMs: number } | null;
  readonly day: number;
  /** Both null: day level; channel null with a variation: the control entry. */
  readonly channel: Channel | null;
  readonly variationId: string | null;
  /** A catalog metric; `push_button:<title>` for a push button's clicks. */
  readonly metric: string;
}

/** What a figure is made of, and so what the store reads to explain it. */
export type FigureSource = 'events' | 'uniques' | 'members' | 'credits';

export function figureSource(metric: string): FigureSource {
  if (metric === 'revenue' || (CONVERSION_FIELDS as readonly string[]).includes(metric)) {
    return 'credits';
  }
  if (metric === 'unique_recipients' || metric === 'enrolled') return 'members';
  return UNIQUE_METRICS.has(metric) ? 'uniques' : 'events';
}

/** A stored campaign event, as explanations read it. */
export interface CampaignEvent {
  readonly id: string;
  readonly eventType: string;
  readonly userKey: string;
  readonly instantMs: number;
  readonly channel: Channel | null;
  readonly variationId: string;
  readonly sendId: string | null;
  /** The catalog metrics the event adds (never `unique_*`). */
  readonly metrics: readonly string[];
  readonly unique: UniqueMark | null;
  readonly receipt: boolean;
  readonly enrolsControl: boolean;
}

/** Which stored events of a campaign a figure reads: of a span, maybe of one send or entry. */
export interface CampaignEventQuery {
  readonly span: InstantSpan;
  /** One send's events only; null: every event. */
  readonly sendId: string | null;
  /** One channel's events only; null: any channel (and none). */
  readonly channel: Channel | null;
  /** One variation's events only; null: any. */
  readonly variationId: string | null;
}

/** A unique chain (SPEC §2): per (campaign, variation, user, chain). */
export interface ChainRef {
  readonly variationId: string;
  readonly userKey: string;
  readonly chain: string;
}

/** An event as an explanation lists it. */
export interface EventItem {
  readonly id: string;
  readonly event_type: string;
  readonly user: string;
  /** ISO 8601 instant (UTC). */
  readonly time: string;
  readonly send_id: string | null;
}

export interface UniqueItem extends EventItem {
  /** The earlier unique event of its chain it comes a window after; `first` when none. */
  readonly after: { readonly id: string; readonly time: string } | 'first';
}

/** A distinct user, with the first receipt (or enrolment) of the day that made them count. */
export type MemberItem = EventItem;

/** A conversion or revenue credit: the converting event and the receipt it credits. */
export interface CreditItem {
  readonly id: string;
  readonly event_type: string;
  readonly user: string;
  readonly time: string;
  /** Conversions: 0 for behavior A (`conversions`) to 3 for D (`conversions3`). */
  readonly behavior_index?: number;
  /** Revenue: the purchase's amount in USD (the workspace's rate applied). */
  readonly usd?: number;
  /** The receipt (control: the enrolment) credited, with its local day; null for none. */
  readonly receipt: { readonly id: string; readonly time: string; readonly day: string } | null;
}

export type ExplanationItem = EventItem | UniqueItem | CreditItem;

const isoOf = (instantMs: number): string => new Date(instantMs).toISOString();

const eventItem = (event: CampaignEvent): EventItem => ({
  id: event.id,
  event_type: event.eventType,
  user: event.userKey,
  time: isoOf(event.instantMs),
  send_id: event.sendId,
});

/** SPEC §4: a send's series counts its own events before its cutoff. */
function inSend(figure: Figure, event: CampaignEvent): boolean {
  const { send } = figure;
  return send === null || (event.sendId === send.id && event.instantMs < send.cutoffMs);
}

/**
 * Whether the event lies in the figure's day and entry. Day level (channel and variation null)
 * admits every entry: only recipients are counted there from events.
 */
function inFigure(figure: Figure, zone: string): (event: CampaignEvent) => boolean {
  const dayLevel = figure.channel === null && figure.variationId === null;
  return (event) =>
    (dayLevel || (event.channel === figure.channel && event.variationId === figure.variationId)) &&
    inSend(figure, event) &&
    localDay(event.instantMs, zone) === figure.day;
}

/** Each id once, oldest first (a ClickHouse read may repeat an event not merged yet). */
function distinctInOrder(events: readonly CampaignEvent[]): CampaignEvent[] {
  const byId = new Map(events.map((event) => [event.id, event]));
  return [...byId.values()].sort(byInstantThenId);
}

/** An event-counted metric: the events of the day and entry that add it. */
export function explainEvents(
  figure: Figure,
  events: readonly CampaignEvent[],
  zone: string,
): EventItem[] {
  const counted = inFigure(figure, zone);
  return distinctInOrder(events)
    .filter((event) => counted(event) && event.metrics.includes(figure.metric))
    .map(eventItem);
}

/** The events of the day and entry that a unique metric considers: its candidates. */
export function uniqueCandidates(
  figure: Figure,
  events: readonly CampaignEvent[],
  zone: string,
): CampaignEvent[] {
  const counted = inFigure(figure, zone);
  return distinctInOrder(events).filter(
    (event) => counted(event) && event.unique?.metric === figure.metric,
  );
}

export const chainKeyOf = (ref: ChainRef): string =>
  JSON.stringify([ref.variationId, ref.userKey, ref.chain]);

export function chainOf(event: CampaignEvent): ChainRef | null {
  return (
    event.unique && {
      variationId: event.variationId,
      userKey: event.userKey,
      chain: event.unique.chain,
    }
  );
}

/**
 * A unique metric: the candidates their chains judge unique (unique-chain.ts), each with the
 * unique event before it in its chain. `chains` holds every event of the candidates' chains up
 * to the end of the day, the candidates included.
 */
export function explainUniques(
  candidates: readonly CampaignEvent[],
  chains: readonly CampaignEvent[],
): UniqueItem[] {
  const byChain = new Map<string, CampaignEvent[]>();
  for (const event of distinctInOrder(chains)) {
    const ref = chainOf(event);
    if (ref === null) continue;
    const key = chainKeyOf(ref);
    const list = byChain.get(key) ?? [];
    list.push(event);
    byChain.set(key, list);
  }
  const earlierUnique = new Map<string, CampaignEvent | null>();
  for (const list of byChain.values()) {
    const verdicts = rankChain(
      list.map((event) => ({ instantMs: event.instantMs, windowMs: event.unique!.windowMs })),
    );
    let last: CampaignEvent | null = null;
    list.forEach((event, i) => {
      if (!verdicts[i]) return;
      earlierUnique.set(event.id, last);
      last = event;
    });
  }
  return candidates.flatMap((event) => {
    const before = earlierUnique.get(event.id);
    if (before === undefined) return [];
    const after = before === null ? 'first' : { id: before.id, time: isoOf(before.instantMs) };
    return [{ ...eventItem(event), after }];
  });
}

/**
 * `unique_recipients` (receipts; day level: of any entry) or `enrolled` (enrolments): each
 * distinct user once, with the first receipt or enrolment of the day and entry.
 */
export function explainMembers(
  figure: Figure,
  events: readonly CampaignEvent[],
  zone: string,
): MemberItem[] {
  const counted = inFigure(figure, zone);
  const makesMember = (event: CampaignEvent) =>
    figure.metric === 'enrolled' ? event.enrolsControl : event.receipt;
  const first = new Map<string, CampaignEvent>();
  for (const event of distinctInOrder(events)) {
    if (counted(event) && makesMember(event) && !first.has(event.userKey)) {
      first.set(event.userKey, event);
    }
  }
  return [...first.values()].map(eventItem);
}

/**
 * A conversion or revenue figure: the credits of the day and entry (attribution.ts), for a send
 * those `countsInSend` admits. `credits` may hold more (other days, entries, metrics).
 */
export function explainCredits(
  figure: Figure,
  credits: readonly Credit[],
  zone: string,
): CreditItem[] {
  const { send } = figure;
  const conversion = (CONVERSION_FIELDS as readonly string[]).indexOf(figure.metric);
  const behaviorIndex = conversion < 0 ? undefined : conversion % (CONVERSION_FIELDS.length / 2);
  const byKey = new Map<string, Credit>();
  for (const credit of credits) {
    if (
      credit.metric === figure.metric &&
      credit.channel === figure.channel &&
      credit.variationId === figure.variationId &&
      (send === null || countsInSend(credit, send.id, send.cutoffMs)) &&
      localDay(credit.dayMs, zone) === figure.day
    ) {
      byKey.set(credit.key, credit);
    }
  }
  const ordered = [...byKey.values()].sort(
    (a, b) =>
      a.eventMs - b.eventMs ||
      compareText(a.source.eventId, b.source.eventId) ||
      compareText(a.source.credited?.id ?? '', b.source.credited?.id ?? ''),
  );
  return ordered.map((credit) => {
    const { eventId, eventType, userKey, credited } = credit.source;
    return {
      id: eventId,
      event_type: eventType,
      user: userKey,
      time: isoOf(credit.eventMs),
      ...(behaviorIndex === undefined
        ? { usd: credit.value / MICROS_PER_USD }
        : { behavior_index: behaviorIndex }),
      receipt: credited && {
        id: credited.id,
        time: isoOf(credited.instantMs),
        day: formatDay(localDay(credited.instantMs, zone)),
      },
    };
  });
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** One page of an explanation (0-based), and the next page's number, null after the last. */
export function pageOf<T>(
  items: readonly T[],
  page: number,
  limit: number,
): { readonly items: T[]; readonly nextPage: number | null } {
  const start = page * limit;
  return {
    items: items.slice(start, start + limit),
    nextPage: start + limit < items.length ? page + 1 : null,
  };
}
