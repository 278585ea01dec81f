/**
 * The numbers a store returns for a series request, before they are shaped into
 * the Braze answer (src/domain/series-shape.ts). Days are local calendar days in the
 * workspace's reporting zone, as day numbers (days since 1970-01-01, see time.ts).
 */
import { MICROS_PER_USD } from './behaviors.js';
import type { Channel } from './channels.js';

/**
 * One number. `channel` null and `variationId` null: a day-level figure
 * (`unique_recipients`, conversions, revenue). `channel` null with a variation id:
 * a control-group figure (`enrolled`, ...), the same in every channel's control entry.
 */
export interface SeriesCell {
  readonly day: number;
  readonly channel: Channel | null;
  readonly variationId: string | null;
  readonly metric: string;
  readonly value: number;
}

/** Conversion fields of SPEC §5, in answer order. */
export const CONVERSION_FIELDS = [
  'conversions',
  'conversions1',
  'conversions2',
  'conversions3',
  'conversions_by_send_time',
  'conversions1_by_send_time',
  'conversions2_by_send_time',
  'conversions3_by_send_time',
] as const;

/**
 * A stored figure as the series answer it: stores sum revenue in integer micro-USD so the sum
 * does not depend on the order of its terms; the answer is USD.
 */
export function seriesValue(metric: string, stored: number): number {
  return metric === 'revenue' ? stored / MICROS_PER_USD : stored;
}

/**
 * A cell as both stores select it: '' stands for "no channel" and "no variation" (the columns
 * are non-null so they can be part of a key), `n` is the stored figure.
 */
export interface CellRow {
  day: number;
  channel: string;
  variation_id: string;
  metric: string;
  n: number;
}

/** A cell from the fields of a CellRow, with the figure the answer shows. */
export function cellOfRow(
  day: number,
  channel: string,
  variationId: string,
  metric: string,
  value: number,
): SeriesCell {
  return {
    day,
    channel: channel === '' ? null : (channel as Channel),
    variationId: variationId === '' ? null : variationId,
    metric,
    value,
  };
}
