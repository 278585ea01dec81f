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

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-CA', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
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
    const parts = formatterFor(zone).formatToParts(new Date(bucket * BUCKET_MS));
    const part = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
    day = dayNumber(part('year'), part('month'), part('day'));
    cache.set(bucket, day);
  }
  return day;
}

export function dayNumber(year: number, month: number, day: number): number {
  return Math.round(Date.UTC(year, month - 1, day) / MS_PER_DAY);
}

/** `YYYY-MM-DD` of a day number. */
export function formatDay(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Day number of a `YYYY-MM-DD` string that names a real date, else undefined. */
export function parseDay(text: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const number = dayNumber(year, month, day);
  return formatDay(number) === text ? number : undefined;
}
