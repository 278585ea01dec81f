import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  dayNumber,
  formatDay,
  isValidTimeZone,
  localDay,
  parseDay,
  localDaySpan,
} from '../../src/domain/time.js';

/** The local date of an ISO instant in a zone, as `YYYY-MM-DD`. */
const dateIn = (iso: string, zone: string): string => formatDay(localDay(Date.parse(iso), zone));

describe('localDay', () => {
  it('follows America/New_York into DST (2024-03-10, 02:00 EST jumps to 03:00 EDT at 07:00Z)', () => {
    const zone = 'America/New_York';
    assert.equal(dateIn('2024-03-10T04:59:59.999Z', zone), '2024-03-09'); // 23:59 EST
    assert.equal(dateIn('2024-03-10T05:00:00Z', zone), '2024-03-10'); // 00:00 EST
    assert.equal(dateIn('2024-03-10T06:59:00Z', zone), '2024-03-10'); // 01:59 EST
    assert.equal(dateIn('2024-03-10T07:00:00Z', zone), '2024-03-10'); // 03:00 EDT
    // The next midnight is on EDT: 04:00Z, not 05:00Z.
    assert.equal(dateIn('2024-03-11T03:59:59Z', zone), '2024-03-10');
    assert.equal(dateIn('2024-03-11T04:00:00Z', zone), '2024-03-11');
  });

  it('follows America/New_York out of DST (2024-11-03 is 25 hours long)', () => {
    const zone = 'America/New_York';
    assert.equal(dateIn('2024-11-03T03:59:59Z', zone), '2024-11-02'); // 23:59 EDT
    assert.equal(dateIn('2024-11-03T04:00:00Z', zone), '2024-11-03'); // 00:00 EDT
    assert.equal(dateIn('2024-11-03T05:30:00Z', zone), '2024-11-03'); // 01:30 EDT
    assert.equal(dateIn('2024-11-03T06:30:00Z', zone), '2024-11-03'); // 01:30 EST again
    assert.equal(dateIn('2024-11-04T04:59:59Z', zone), '2024-11-03'); // 23:59 EST
    assert.equal(dateIn('2024-11-04T05:00:00Z', zone), '2024-11-04');
  });

  it('follows Europe/London in and out of BST', () => {
    const zone = 'Europe/London';
    assert.equal(dateIn('2024-03-30T23:59:59Z', zone), '2024-03-30'); // GMT
    assert.equal(dateIn('2024-03-31T00:00:00Z', zone), '2024-03-31');
    assert.equal(dateIn('2024-03-31T22:59:59Z', zone), '2024-03-31'); // 23:59 BST
    assert.equal(dateIn('2024-03-31T23:00:00Z', zone), '2024-04-01'); // 00:00 BST
    assert.equal(dateIn('2024-10-26T22:59:59Z', zone), '2024-10-26');
    assert.equal(dateIn('2024-10-26T23:00:00Z', zone), '2024-10-27'); // 00:00 BST
    assert.equal(dateIn('2024-10-27T23:59:59Z', zone), '2024-10-27'); // 23:59 GMT
    assert.equal(dateIn('2024-10-28T00:00:00Z', zone), '2024-10-28');
  });

  it("follows Australia/Lord_Howe's 30-minute shift (+10:30 standard, +11:00 summer)", () => {
    const zone = 'Australia/Lord_Howe';
    // Summer ends 2024-04-07 02:00 +11 (15:00Z on the 6th); midnight of the 8th is at +10:30.
    assert.equal(dateIn('2024-04-06T12:59:59Z', zone), '2024-04-06'); // 23:59 +11
    assert.equal(dateIn('2024-04-06T13:00:00Z', zone), '2024-04-07'); // 00:00 +11
    assert.equal(dateIn('2024-04-07T13:15:00Z', zone), '2024-04-07'); // 23:45 +10:30
    assert.equal(dateIn('2024-04-07T13:30:00Z', zone), '2024-04-08'); // 00:00 +10:30
    // Summer starts 2024-10-06 02:00 +10:30 (15:30Z on the 5th); midnight of the 7th is at +11.
    assert.equal(dateIn('2024-10-05T13:29:59Z', zone), '2024-10-05'); // 23:59 +10:30
    assert.equal(dateIn('2024-10-05T13:30:00Z', zone), '2024-10-06');
    assert.equal(dateIn('2024-10-06T12:59:59Z', zone), '2024-10-06'); // 23:59 +11
    assert.equal(dateIn('2024-10-06T13:00:00Z', zone), '2024-10-07');
    assert.equal(dateIn('2024-10-06T13:15:00Z', zone), '2024-10-07'); // 00:15 +11
  });

  it('splits days at local midnight in Asia/Kolkata (+5:30) and Asia/Kathmandu (+5:45)', () => {
    assert.equal(dateIn('2024-06-14T18:29:59.999Z', 'Asia/Kolkata'), '2024-06-14');
    assert.equal(dateIn('2024-06-14T18:30:00Z', 'Asia/Kolkata'), '2024-06-15');
    assert.equal(dateIn('2024-06-14T18:14:59.999Z', 'Asia/Kathmandu'), '2024-06-14');
    assert.equal(dateIn('2024-06-14T18:15:00Z', 'Asia/Kathmandu'), '2024-06-15');
    assert.equal(dateIn('2024-06-14T18:15:00Z', 'Asia/Kolkata'), '2024-06-14');
  });

  it('is the UTC date in UTC, and a later date east of UTC for the same instant', () => {
    assert.equal(dateIn('2024-12-31T23:59:59Z', 'UTC'), '2024-12-31');
    assert.equal(dateIn('2024-12-31T23:59:59Z', 'Asia/Tokyo'), '2025-01-01');
    assert.equal(dateIn('2024-12-31T23:59:59Z', 'Pacific/Honolulu'), '2024-12-31');
  });
});

describe('day numbers', () => {
  it('counts days from 1970-01-01', () => {
    assert.equal(dayNumber(1970, 1, 1), 0);
    assert.equal(dayNumber(2024, 3, 1), 19783);
    assert.equal(formatDay(19783), '2024-03-01');
    assert.equal(formatDay(-1), '1969-12-31');
  });

  it('formats leap days, century years and padded years', () => {
    assert.equal(formatDay(dayNumber(2000, 2, 29)), '2000-02-29');
    assert.equal(formatDay(dayNumber(2100, 2, 28) + 1), '2100-03-01');
    assert.equal(formatDay(dayNumber(2024, 12, 31) + 1), '2025-01-01');
    assert.equal(formatDay(dayNumber(999, 12, 31)), '0999-12-31');
  });

  it('formats every day from 1900 to 2200 as Date#toISOString does', () => {
    for (let day = dayNumber(1900, 1, 1); day <= dayNumber(2200, 1, 1); day++) {
      const expected = new Date(day * 86_400_000).toISOString().slice(0, 10);
      if (formatDay(day) !== expected) assert.equal(formatDay(day), expected, `day ${day}`);
    }
  });

  it('parses only real dates', () => {
    assert.equal(parseDay('2024-02-29'), 19782);
    assert.equal(parseDay('2023-02-29'), undefined);
    assert.equal(parseDay('2024-02-30'), undefined);
    assert.equal(parseDay('2024-13-01'), undefined);
    assert.equal(parseDay('2024-1-01'), undefined);
  });
});

describe('isValidTimeZone', () => {
  it('accepts IANA names', () => {
    for (const zone of ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kathmandu']) {
      assert.equal(isValidTimeZone(zone), true, zone);
    }
  });

  it('refuses unknown names', () => {
    for (const zone of ['', 'Mars/Olympus_Mons', 'Europe/Berlinn', 'not a zone']) {
      assert.equal(isValidTimeZone(zone), false, zone);
    }
  });
});

describe('localDaySpan', () => {
  it('gives exactly the instants of a local day, 23 or 25 hours across a change', () => {
    const HOUR = 3_600_000;
    const cases: [string, string, number][] = [
      ['UTC', '2026-01-05', 24],
      ['America/New_York', '2024-03-10', 23],
      ['America/New_York', '2024-11-03', 25],
      ['Asia/Kolkata', '2026-01-05', 24],
      ['Australia/Lord_Howe', '2024-04-07', 24.5],
      ['Asia/Kathmandu', '2026-06-30', 24],
    ];
    for (const [zone, text, hours] of cases) {
      const day = parseDay(text)!;
      const { fromMs, toMs } = localDaySpan(day, zone);
      assert.equal(toMs - fromMs, hours * HOUR, `${zone} ${text}`);
      assert.equal(localDay(fromMs, zone), day, `${zone} ${text} starts on the day`);
      assert.equal(localDay(fromMs - 1, zone), day - 1, `${zone} ${text}: the ms before`);
      assert.equal(localDay(toMs - 1, zone), day, `${zone} ${text} ends on the day`);
      assert.equal(localDay(toMs, zone), day + 1, `${zone} ${text}: the next day`);
    }
  });
});
