/**
 * An instant written in the date forms of `ending_at` (SPEC §5), as `last_edit.time[gt]` of
 * `/campaigns/list` takes it (SPEC §7). Unlike `ending_at`, which names a calendar date, this
 * one is compared with instants, so the time and offset matter: a bare date is its midnight,
 * and a time without offset is read in the workspace's reporting zone, as a dashboard user in
 * that zone would mean it.
 */
import { ENDING_AT } from './ending-at.js';
import { wallClock } from './time.js';

export type InstantResult =
  | { readonly ok: true; readonly instantMs: number }
  | { readonly ok: false; readonly message: string };

/** The zone's offset from UTC at an instant, in ms. */
function zoneOffsetMs(zone: string, instantMs: number): number {
  const clock = wallClock(instantMs, zone);
  const wall = Date.UTC(
    clock.year,
    clock.month - 1,
    clock.day,
    clock.hour,
    clock.minute,
    clock.second,
  );
  return wall - Math.floor(instantMs / 1000) * 1000;
}

/**
 * The instant a wall-clock time (as Date.UTC of its fields) names in a zone. Two rounds find
 * the offset in force at that instant; a time skipped by a DST change lands after the gap.
 */
function wallTimeToInstant(wallMs: number, zone: string): number {
  const guess = wallMs - zoneOffsetMs(zone, wallMs);
  return wallMs - zoneOffsetMs(zone, guess);
}

/** Parses `text` (named `parameter` in messages) to an instant. */
export function parseInstant(text: string, parameter: string, zone: string): InstantResult {
  const invalid = {
    ok: false as const,
    message:
      `${parameter} must be a date (YYYY-MM-DD) or a date and time (YYYY-MM-DDTHH:mm[:ss[.fff]]) ` +
      `with an optional offset (Z, +HH:MM, +H:MM or +HHMM) (got ${JSON.stringify(text.slice(0, 40))})`,
  };
  const match = ENDING_AT.exec(text);
  if (!match) return invalid;
  const [, date, hour, minute, second, fraction, offset, offsetH, offsetM, offsetHH, offsetMM] =
    match;
  const [year, month, day] = date!.split('-').map(Number) as [number, number, number];
  const fields = [
    year,
    month - 1,
    day,
    Number(hour ?? 0),
    Number(minute ?? 0),
    Number(second ?? 0),
  ];
  const wallMs = Date.UTC(year, month - 1, day, fields[3]!, fields[4]!, fields[5]!);
  // Date.UTC rolls 2026-02-30 or 25:00 over into the next unit; a round trip catches that.
  const back = new Date(wallMs);
  const roundTrip = [
    back.getUTCFullYear(),
    back.getUTCMonth(),
    back.getUTCDate(),
    back.getUTCHours(),
    back.getUTCMinutes(),
    back.getUTCSeconds(),
  ];
  const offsetMinutes = Number(offsetM ?? offsetMM ?? 0);
  const offsetHours = Number(offsetH ?? offsetHH ?? 0);
  if (roundTrip.some((n, i) => n !== fields[i]) || offsetHours > 23 || offsetMinutes > 59) {
    return invalid;
  }
  const withFraction = wallMs + Number((fraction ?? '').padEnd(3, '0'));
  if (offset === undefined) return { ok: true, instantMs: wallTimeToInstant(withFraction, zone) };
  if (offset === 'Z') return { ok: true, instantMs: withFraction };
  // A space stands for a "+" that the query string decoded (see ending-at.ts).
  const sign = offset.startsWith('-') ? -1 : 1;
  const offsetMs = (offsetHours * 60 + offsetMinutes) * 60_000 * sign;
  return { ok: true, instantMs: withFraction - offsetMs };
}
