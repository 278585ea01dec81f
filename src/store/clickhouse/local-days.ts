/**
 * The requested local days of a reporting zone as sets of UTC 15-minute slots.
 *
 * Every zone offset since the 1970s is a multiple of 15 minutes and changes on a slot
 * boundary (src/domain/time.ts), so a local day is a whole number of slots: usually one run
 * (92, 96 or 100 slots), two when the clock went back over midnight. A day's slots say
 * everything its figures depend on besides the events, whatever the zone: they key the
 * computed days (day-figures.ts), shared by every zone with the same day boundaries and
 * recomputed when a zone change, or new zone rules, move a boundary.
 */
import type { DayRange } from '../store.js';
import type { ExternalTable } from './http.js';
import { SLOT_MS } from './rollup-schema.js';
import { DAY_MS, offsetSegments, utcSpanOf, type OffsetSegments } from './zone-offsets.js';

export interface LocalDay {
  readonly day: number;
  /** Its slots as half-open `[first, end)` runs, in order. */
  readonly slots: readonly (readonly [number, number])[];
  /** The UTC day (days since 1970-01-01) of its last instant. */
  readonly lastUtcDay: number;
}

export interface LocalDays {
  readonly days: readonly LocalDay[];
  /** The zone's offsets around the days, for the same bucketing in SQL (zone-offsets.ts). */
  readonly segments: OffsetSegments;
  /** The local day of an instant within the segments. */
  readonly dayAt: (instantMs: number) => number;
}

/** The key of a day's slots in `day_figures`. */
export function spanKey(day: LocalDay): string {
  return day.slots.map(([first, end]) => `${first}-${end}`).join(',');
}

/** A day asked for from a table of kept days, with the touch count its kept row must carry. */
export interface WantedDay {
  readonly day: LocalDay;
  readonly span: string;
  readonly touches: number;
}

/**
 * The local days of a range, each with its span, and the spans as the table `wanted` that a
 * kept-days query reads.
 */
export function spannedDays(zone: string, range: DayRange) {
  const local = localDays(zone, range);
  const days = local.days.map((day) => ({ day, span: spanKey(day) }));
  const wanted: ExternalTable = {
    name: 'wanted',
    columns: { span: 'String' },
    rows: days.map(({ span }) => ({ span })),
  };
  return { local, days, wanted };
}

export function localDays(zone: string, range: DayRange): LocalDays {
  const { fromMs, toMs } = utcSpanOf(range);
  const segments = offsetSegments(zone, fromMs, toMs);
  const dayAt = (instantMs: number): number => {
    let low = 0;
    let high = segments.starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (segments.starts[middle]! <= instantMs) low = middle;
      else high = middle - 1;
    }
    return Math.floor((instantMs + segments.offsets[low]!) / DAY_MS);
  };
  const slotsByDay = new Map<number, [number, number][]>();
  for (let slot = fromMs / SLOT_MS; slot < toMs / SLOT_MS; slot++) {
    const day = dayAt(slot * SLOT_MS);
    if (day < range.firstDay || day > range.lastDay) continue;
    const runs = slotsByDay.get(day) ?? [];
    const last = runs[runs.length - 1];
    if (last && last[1] === slot) last[1] = slot + 1;
    else runs.push([slot, slot + 1]);
    slotsByDay.set(day, runs);
  }
  const days: LocalDay[] = [];
  for (let day = range.firstDay; day <= range.lastDay; day++) {
    const slots = slotsByDay.get(day) ?? [];
    const end = slots[slots.length - 1]?.[1] ?? 0;
    days.push({ day, slots, lastUtcDay: Math.floor((end * SLOT_MS - 1) / DAY_MS) });
  }
  return { days, segments, dayAt };
}
