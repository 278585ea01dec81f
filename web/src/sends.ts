/** Figures the pages derive from series answers, on top of src/domain/rates.ts. */
import type { Channel } from '../../src/domain/channels.js';
import { sendsMetric, type SeriesDay } from '../../src/domain/rates.js';
import { formatDay, localDay } from '../../src/domain/time.js';

/** Messages sent each day, over every channel and variation. */
export function sendsPerDay(days: readonly SeriesDay[]): number[] {
  return days.map((day) => {
    let sent = 0;
    for (const [channel, entries] of Object.entries(day.messages)) {
      const metric = sendsMetric(channel as Channel);
      for (const entry of entries ?? []) {
        const value = entry[metric];
        if (typeof value === 'number') sent += value;
      }
    }
    return sent;
  });
}

/** The local day (`YYYY-MM-DD`) of an ISO instant in the workspace's zone. */
export const dayIn = (iso: string, zone: string): string =>
  formatDay(localDay(Date.parse(iso), zone));

/** `ending_at` that ends on the written day (a bare date would end the day before, SPEC §5). */
export const endingAt = (day: string): string => `${day}T12:00:00`;

/** Today in the workspace's zone. */
export const todayIn = (zone: string): string => formatDay(localDay(Date.now(), zone));
