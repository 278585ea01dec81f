/**
 * A reporting zone's UTC offsets over a span of time, as constant segments, so ClickHouse can
 * bucket instants into local days with plain arithmetic:
 *
 *   day = intDiv(instant_ms + offsets[arrayCount(s -> s <= instant_ms, starts)], 86400000)
 *
 * Why not ClickHouse's `toDate(t, zone)`: the server's tz database is its own (Debian's 18.16
 * carries 2018 rules, so e.g. Mexico's 2022 end of DST is unknown to it), and the store must
 * give the same days as the embedded store, which uses Node's Intl (src/domain/time.ts). The
 * offsets computed here come from the same Intl data, and travel as query values.
 */
import { DAY_MS, utcSpanOf, wallClock } from '../../domain/time.js';

const MINUTE_MS = 60_000;
export { DAY_MS, utcSpanOf };
/** Offsets are sampled this far apart; a zone changes offset at most once in such a step. */
const STEP_MS = 6 * 3_600_000;

/** The zone's offset from UTC at an instant, in ms (whole minutes in every zone since 1972). */
export function offsetAt(zone: string, instantMs: number): number {
  const minute = Math.floor(instantMs / MINUTE_MS) * MINUTE_MS;
  const clock = wallClock(minute, zone);
  const local = Date.UTC(clock.year, clock.month - 1, clock.day, clock.hour, clock.minute);
  return local - minute;
}

/**
 * Offsets at the sampled instants, per zone. Every span starts on a UTC midnight, so samples
 * fall on one 6-hour grid and the ranges of later requests (the same, or overlapping) reuse
 * them: a formatted Intl date costs microseconds, and a 100-day range samples 400. At most
 * 20,000 samples (13 years) per zone are kept, so the API process does not grow with use.
 */
const samples = new Map<string, Map<number, number>>();
const MAX_SAMPLES_PER_ZONE = 20_000;

function sampledOffsetAt(zone: string, instantMs: number): number {
  let zoneSamples = samples.get(zone);
  if (!zoneSamples) {
    zoneSamples = new Map();
    samples.set(zone, zoneSamples);
  }
  let offset = zoneSamples.get(instantMs);
  if (offset === undefined) {
    if (zoneSamples.size >= MAX_SAMPLES_PER_ZONE) zoneSamples.clear();
    offset = offsetAt(zone, instantMs);
    zoneSamples.set(instantMs, offset);
  }
  return offset;
}

export interface OffsetSegments {
  /** Segment i covers [starts[i], starts[i + 1]); starts[0] is the span's start. */
  readonly starts: number[];
  readonly offsets: number[];
}

/** The offsets in force over [fromMs, toMs), each transition found to the minute. */
export function offsetSegments(zone: string, fromMs: number, toMs: number): OffsetSegments {
  const starts = [fromMs];
  const offsets = [sampledOffsetAt(zone, fromMs)];
  for (let at = fromMs; at < toMs; at += STEP_MS) {
    const next = Math.min(at + STEP_MS, toMs);
    const offset = sampledOffsetAt(zone, next);
    if (offset === offsets[offsets.length - 1]) continue;
    // Bisect in whole minutes: `low` has the old offset, `high` the new one.
    let low = Math.floor(at / MINUTE_MS);
    let high = Math.floor(next / MINUTE_MS);
    while (high - low > 1) {
      const middle = Math.floor((low + high) / 2);
      if (offsetAt(zone, middle * MINUTE_MS) === offset) high = middle;
      else low = middle;
    }
    starts.push(high * MINUTE_MS);
    offsets.push(offset);
  }
  return { starts, offsets };
}

/**
 * The local day of an instant expression in SQL, given the segments as the arrays `starts`
 * and `offsets` (bound in a WITH clause from the query's parameters).
 */
export const localDaySql = (instant: string): string =>
  `intDiv(${instant} + offsets[arrayCount(s -> s <= ${instant}, starts)], ${DAY_MS})`;
