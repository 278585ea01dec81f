/**
 * Time rules: local calendar days in a reporting zone (SPEC §1) and day numbers.
 *
 * A day number is the count of days from 1970-01-01 to a calendar date; it names a date,
 * not an instant, so the same number means "that date in whatever zone the workspace uses".
 */
const MS_PER_DAY = 86_400_000;
/**
 * UTC offsets have been whole multiples of 15 minutes in every zone since the 1970s, and zone
 * transitions happen on such boundaries, so every instant of one 15-minute UTC bucket falls on
 * the same local date. Caching per bucket keeps Intl out of the hot ingest path.
 */
const BUCKET_MS = 15 * 60 * 1000;

const formatters = new Map<string, Intl.DateTimeFormat>();
const dayCache = new Map<string, Map<number, number>>();

/** One formatter per zone, giving every wall-clock field as a number (hours 0..23). */
function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** A day range in the workspace's reporting zone, as day numbers (src/domain/time.ts), inclusive. */
export interface DayRange {
  readonly firstDay: number;
  readonly lastDay: number;
}

export const DAY_MS = 86_400_000;

/** UTC instants [fromMs, toMs): a span of time. */
export interface InstantSpan {
  readonly fromMs: number;
  readonly toMs: number;
}

/**
 * UTC instants [fromMs, toMs) that hold every instant of the local days, in any zone: local day
 * d lies within UTC [d − 14 h, d + 1 day + 12 h], so one day either side covers it.
 */
export function utcSpanOf(days: DayRange): InstantSpan {
  return { fromMs: (days.firstDay - 1) * DAY_MS, toMs: (days.lastDay + 2) * DAY_MS };
}

const MINUTE_MS = 60_000;

/** The first whole minute in [lowMs, highMs] whose local day is `day` or later. */
function firstMinuteOf(day: number, zone: string, lowMs: number, highMs: number): number {
  let low = Math.floor(lowMs / MINUTE_MS);
  let high = Math.ceil(highMs / MINUTE_MS);
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (localDay(middle * MINUTE_MS, zone) >= day) high = middle;
    else low = middle + 1;
  }
  return low * MINUTE_MS;
}

/**
 * The UTC instants [fromMs, toMs) of local day `day` in the zone, exactly (23 or 25 hours on a
 * day that changes offset). Offsets are whole minutes, so a day starts on a whole minute.
 */
export function localDaySpan(day: number, zone: string): InstantSpan {
  const wide = utcSpanOf({ firstDay: day, lastDay: day });
  return {
    fromMs: firstMinuteOf(day, zone, wide.fromMs, wide.toMs),
    toMs: firstMinuteOf(day + 1, zone, wide.fromMs, wide.toMs),
  };
}

/** The wall-clock fields of an instant in a zone (month 1..12), to the second. */
export interface WallClock {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

/** What a clock in `zone` shows at an instant. Throws for a zone this runtime does not know. */
export function wallClock(instantMs: number, zone: string): WallClock {
  const parts = formatterFor(zone).formatToParts(new Date(instantMs));
  const part = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
  return {
    year: part('year'),
    month: part('month'),
    day: part('day'),
    hour: part('hour'),
    minute: part('minute'),
    second: part('second'),
  };
}

/** True for an IANA zone name this runtime knows. */
export function isValidTimeZone(zone: string): boolean {
  try {
    formatterFor(zone);
    return true;
  } catch {
    return false;
  }
}

/** The local calendar date of an instant in a zone, as a day number. */
export function localDay(instantMs: number, zone: string): number {
  let cache = dayCache.get(zone);
  if (!cache) {
    cache = new Map();
    dayCache.set(zone, cache);
  }
  const bucket = Math.floor(instantMs / BUCKET_MS);
  let day = cache.get(bucket);
  if (day === undefined) {
    if (cache.size > 200_000) cache.clear();
    const wall = wallClock(bucket * BUCKET_MS, zone);
    day = dayNumber(wall.year, wall.month, wall.day);
    cache.set(bucket, day);
  }
  return day;
}

export function dayNumber(year: number, month: number, day: number): number {
  return Math.round(Date.UTC(year, month - 1, day) / MS_PER_DAY);
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);

/**
 * `YYYY-MM-DD` of a day number (years 0..9999). Civil-from-days arithmetic (H. Hinnant's
 * algorithm on 400-year eras) instead of `Date#toISOString`, which costs about a microsecond:
 * every series answer formats one date per day, every CSV row too.
 */
export function formatDay(day: number): string {
  const shifted = day + 719_468; // days from 0000-03-01, so leap days end a year
  const era = Math.floor(shifted / 146_097);
  const dayOfEra = shifted - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear =
    dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const dayOfMonth = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(dayOfMonth)}`;
}

/** Day number of a `YYYY-MM-DD` string that names a real date, else undefined. */
export function parseDay(text: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const number = dayNumber(year, month, day);
  return formatDay(number) === text ? number : undefined;
}
