/**
 * "Why is this 42?": what the dashboard asks the explain endpoints for a number on screen. A
 * table's number sums days, so its explanation is each day's (the days on which the figure is
 * not 0, oldest first), read a page at a time; a rate or a confidence is explained by the
 * figures it is computed from, each its own list.
 */
import { figureOfDay, type SeriesDay } from '../../src/domain/rates.js';
import { apiGet } from './api.js';
import { toCsv } from './csv.js';

/** One figure of the series answers: of the day (channel null) or of one entry. */
export interface FigureRef {
  /** A field of the answer: `sent`, `unique_recipients`, `notif_button_1_Buy_click`, ... */
  readonly metric: string;
  readonly channel: string | null;
  readonly variationId: string | null;
  /** What the panel calls it: "Email · Variant A · sent". */
  readonly label: string;
}

/** Whose series: a campaign's, or one send's. */
export interface ExplainScope {
  readonly campaignId: string;
  readonly sendId: string | null;
}

/** A request to explain: the figures a number on screen is made of, over some days. */
export interface ExplainRequest {
  readonly title: string;
  /** How the number is computed from the figures, for a rate or a comparison. */
  readonly formula?: string;
  readonly figures: readonly FigureRef[];
  /** The days of the series on screen the number covers. */
  readonly days: readonly SeriesDay[];
  readonly scope: ExplainScope;
}

export interface ExplainItem {
  readonly id?: string;
  readonly event_type?: string;
  readonly user: string;
  readonly time: string;
  readonly send_id?: string | null;
  readonly after?: { readonly id: string; readonly time: string } | 'first';
  readonly behavior_index?: number;
  readonly usd?: number;
  readonly receipt?: { readonly id: string; readonly time: string; readonly day: string } | null;
}

export interface ExplainAnswer {
  readonly metric: string;
  readonly day: string;
  readonly value: number;
  readonly rule: string;
  readonly total: number;
  readonly items: readonly ExplainItem[];
  readonly next_page: number | null;
}

export const PAGE_SIZE = 100;
const CSV_PAGE_SIZE = 1000;

/** The days on which the figure is not 0, oldest first: those with something to list. */
export function daysWith(
  days: readonly SeriesDay[],
  figure: FigureRef,
): { day: string; value: number }[] {
  return days
    .map((day) => ({ day: day.time, value: figureOfDay(day, figure, figure.metric) }))
    .filter(({ value }) => value !== 0);
}

export function fetchExplanation(
  scope: ExplainScope,
  figure: FigureRef,
  day: string,
  page: number,
  limit = PAGE_SIZE,
): Promise<ExplainAnswer> {
  const path =
    scope.sendId === null ? '/campaigns/data_series/explain' : '/sends/data_series/explain';
  return apiGet<ExplainAnswer>(path, {
    campaign_id: scope.campaignId,
    send_id: scope.sendId ?? undefined,
    day,
    metric: figure.metric,
    channel: figure.channel ?? undefined,
    variation_api_id: figure.channel === null ? undefined : (figure.variationId ?? undefined),
    page,
    limit,
  });
}

/** What an item says beyond its event: the unique event it follows, or what it credits. */
export function itemDetail(item: ExplainItem): string {
  if (item.after === 'first') return 'first of its chain';
  if (item.after) return `unique again after ${item.after.id} (${item.after.time})`;
  const parts: string[] = [];
  if (item.usd !== undefined) parts.push(`$${item.usd.toFixed(2)}`);
  if (item.receipt) parts.push(`receipt ${item.receipt.id} (${item.receipt.day})`);
  if (item.receipt === null) parts.push('no receipt before it');
  if (item.send_id) parts.push(`send ${item.send_id}`);
  return parts.join(' · ');
}

const CSV_HEADER = [
  'day',
  'id',
  'event_type',
  'user',
  'time',
  'send_id',
  'after_id',
  'after_time',
  'behavior_index',
  'usd',
  'receipt_id',
  'receipt_time',
  'receipt_day',
];

function csvRow(day: string, item: ExplainItem): (string | number)[] {
  const after = item.after === undefined ? null : item.after;
  return [
    day,
    item.id ?? '',
    item.event_type ?? '',
    item.user,
    item.time,
    item.send_id ?? '',
    after === null ? '' : after === 'first' ? 'first' : after.id,
    after === null || after === 'first' ? '' : after.time,
    item.behavior_index ?? '',
    item.usd ?? '',
    item.receipt?.id ?? '',
    item.receipt?.time ?? '',
    item.receipt?.day ?? '',
  ];
}

/** Every item of the figure over the days, every page of every day, as CSV. */
export async function explanationCsv(
  scope: ExplainScope,
  figure: FigureRef,
  days: readonly SeriesDay[],
): Promise<string> {
  const rows: (string | number)[][] = [CSV_HEADER];
  for (const { day } of daysWith(days, figure)) {
    for (let page: number | null = 0; page !== null;) {
      const answer: ExplainAnswer = await fetchExplanation(scope, figure, day, page, CSV_PAGE_SIZE);
      rows.push(...answer.items.map((item) => csvRow(day, item)));
      page = answer.next_page;
    }
  }
  return toCsv(rows);
}
