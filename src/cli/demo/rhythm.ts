/**
 * When things happen: weekly volume (quiet weekends), a slow upward trend over the period,
 * and the hours of the day people receive and read messages (UTC, the demo's reporting zone).
 */
import type { Random } from './random.js';

export const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 24 * MS_PER_HOUR;

/** Sunday first, as `dayOfWeek` numbers them. */
const WEEKDAY_VOLUME = [0.62, 1, 1.08, 1.05, 1.02, 0.95, 0.7];

/** Relative activity per UTC hour: a morning peak, a lunch dip, an evening peak, quiet nights. */
const HOUR_WEIGHTS = [
  0.2, 0.12, 0.08, 0.06, 0.06, 0.1, 0.3, 0.7, 1.1, 1.4, 1.3, 1.2, 1.1, 1.0, 0.95, 0.9, 0.95, 1.05,
  1.25, 1.4, 1.35, 1.1, 0.7, 0.4,
];
const HOUR_TOTAL = HOUR_WEIGHTS.reduce((sum, weight) => sum + weight, 0);

/** 0 = Sunday. Day 0 (1970-01-01) was a Thursday. */
export function dayOfWeek(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

/** Relative volume of day `index` of `days`: weekly shape, +30% over the period, ±10% noise. */
export function dayVolume(day: number, index: number, days: number, random: Random): number {
  const trend = 0.85 + (0.3 * index) / Math.max(1, days - 1);
  return WEEKDAY_VOLUME[dayOfWeek(day)]! * trend * (0.9 + 0.2 * random.next());
}

/** A time of day (ms after midnight) drawn from the hourly rhythm. */
export function timeOfDay(random: Random): number {
  let target = random.next() * HOUR_TOTAL;
  for (let hour = 0; hour < HOUR_WEIGHTS.length; hour++) {
    target -= HOUR_WEIGHTS[hour]!;
    if (target < 0) return (hour + random.next()) * MS_PER_HOUR;
  }
  return 23.5 * MS_PER_HOUR;
}
