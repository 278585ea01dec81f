/**
 * The `length` and `ending_at` parameters of the series endpoints (SPEC §5), resolved to the
 * inclusive range of local days the answer covers.
 *
 * `ending_at` names a calendar date, not an instant: the series ends on the date written in it,
 * whatever its offset and whatever the workspace's zone. Converting it to the reporting zone
 * would move the answer a day for half the world's offsets, which is not what anyone who wrote
 * "2024-05-01T10:00:00+05:30" meant. The one exception is exactly midnight (and a bare date,
 * which means midnight): a series "ending at" the first instant of a day covers none of that
 * day, so it ends on the day before.
 */
import type { DayRange } from './time.js';
import { localDay, parseDay } from './time.js';

export const MIN_LENGTH = 1;
export const MAX_LENGTH = 100;

/** Dates outside these years are mistakes; the bounds also keep every answer day `YYYY-MM-DD`. */
const EARLIEST_YEAR = 1970;

export type DayRangeResult =
  | { readonly ok: true; readonly range: DayRange }
  | { readonly ok: false; readonly message: string };

/**
 * `YYYY-MM-DD`, optionally `THH:mm[:ss[.fff]]` and an offset (`Z`, `±HH:MM`, `±H:MM`, `±HHMM`).
 * A space may stand for the `+` of an offset: an unencoded `+` in a query string arrives
 * decoded as a space (`?ending_at=2024-05-01T10:00:00+05:30`), and refusing it would punish
 * a client for a URL-encoding slip that leaves the meaning plain.
 */
export const ENDING_AT =
  /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+\- ](?:(\d{1,2}):(\d{2})|(\d{2})(\d{2})))?)?$/;

/** Query parameters repeat as arrays (`?length=1&length=2`); a single value is required. */
function single(name: string, value: unknown): { value: unknown } | { message: string } {
  return Array.isArray(value) ? { message: `${name} must be given once` } : { value };
}

/** Echoes a bad value in an error message, cut short so a huge parameter can't bloat it. */
function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}...` : text);
}

function parseLength(raw: unknown): { length: number } | { message: string } {
  const expected = `an integer from ${MIN_LENGTH} to ${MAX_LENGTH}`;
  const given = single('length', raw);
  if ('message' in given) return given;
  const { value } = given;
  if (value === undefined || value === null || value === '') {
    return { message: `length is required: ${expected}` };
  }
  // A route that coerces query strings may hand over a number; the rule is the same.
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^\d+$/.test(text)) {
    return { message: `length must be ${expected} (got ${quote(value)})` };
  }
  const length = Number(text);
  if (length < MIN_LENGTH || length > MAX_LENGTH) {
    return { message: `length must be ${expected} (got ${quote(value)})` };
  }
  return { length };
}

const inRange = (text: string | undefined, max: number): boolean =>
  text === undefined || Number(text) <= max;

/** The last day of the series, or a message naming `ending_at`; undefined input: today. */
function parseEndingAt(
  raw: unknown,
  zone: string,
  nowMs: number,
): { day: number } | { message: string } {
  const given = single('ending_at', raw);
  if ('message' in given) return given;
  const { value } = given;
  // Empty counts as absent: clients and HTML forms send `ending_at=` for "not set".
  if (value === undefined || value === null || value === '') return { day: localDay(nowMs, zone) };
  const invalid = {
    message:
      'ending_at must be a date (YYYY-MM-DD) or a date and time (YYYY-MM-DDTHH:mm[:ss[.fff]]) ' +
      `with an optional offset (Z, +HH:MM, +H:MM or +HHMM) (got ${quote(value)})`,
  };
  if (typeof value !== 'string') return invalid;
  const match = ENDING_AT.exec(value);
  if (!match) return invalid;
  const [, date, hour, minute, second, fraction, , offsetH, offsetM, offsetHH, offsetMM] = match;
  const day = parseDay(date!);
  if (day === undefined) {
    return { message: `ending_at names no calendar date (got ${quote(value)})` };
  }
  const timeValid =
    inRange(hour, 23) &&
    inRange(minute, 59) &&
    inRange(second, 59) &&
    inRange(offsetH ?? offsetHH, 23) &&
    inRange(offsetM ?? offsetMM, 59);
  if (!timeValid)
    return { message: `ending_at has an invalid time or offset (got ${quote(value)})` };
  const year = Number(date!.slice(0, 4));
  if (year < EARLIEST_YEAR) {
    return { message: `ending_at must be in ${EARLIEST_YEAR} or later (got ${quote(value)})` };
  }
  const midnight = [hour, minute, second, fraction].every(
    (part) => part === undefined || Number(part) === 0,
  );
  return { day: midnight ? day - 1 : day };
}

/** Validates `length` and `ending_at` (raw query values) and gives the days to answer, oldest first. */
export function resolveDayRange(
  input: { readonly length: unknown; readonly endingAt: unknown },
  zone: string,
  nowMs: number,
): DayRangeResult {
  const length = parseLength(input.length);
  if ('message' in length) return { ok: false, message: length.message };
  const end = parseEndingAt(input.endingAt, zone, nowMs);
  if ('message' in end) return { ok: false, message: end.message };
  return { ok: true, range: { firstDay: end.day - length.length + 1, lastDay: end.day } };
}
