import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolveDayRange } from '../../src/domain/ending-at.js';
import { formatDay } from '../../src/domain/time.js';

// 2024-05-01T22:30Z is already 2024-05-02 in Tokyo and still 2024-05-01 in UTC.
const NOW = Date.parse('2024-05-01T22:30:00Z');

/** The range as [first date, last date], or the error message. */
function resolve(length: unknown, endingAt: unknown, zone = 'UTC'): [string, string] | string {
  const result = resolveDayRange({ length, endingAt }, zone, NOW);
  return result.ok
    ? [formatDay(result.range.firstDay), formatDay(result.range.lastDay)]
    : result.message;
}

function assertError(length: unknown, endingAt: unknown, parameter: string): void {
  const result = resolve(length, endingAt);
  assert.equal(
    typeof result,
    'string',
    `expected an error for ${String(length)} ${String(endingAt)}`,
  );
  assert.match(result as string, new RegExp(`\\b${parameter}\\b`));
}

describe('resolveDayRange: length', () => {
  it('takes 1 and 100 and counts back from the last day', () => {
    assert.deepEqual(resolve('1', '2024-03-05T10:00:00Z'), ['2024-03-05', '2024-03-05']);
    assert.deepEqual(resolve('7', '2024-03-05T10:00:00Z'), ['2024-02-28', '2024-03-05']);
    assert.deepEqual(resolve('100', '2024-04-09T10:00:00Z'), ['2024-01-01', '2024-04-09']);
  });

  it('takes a number from a coercing route too', () => {
    assert.deepEqual(resolve(3, '2024-03-05T10:00:00Z'), ['2024-03-03', '2024-03-05']);
  });

  it('refuses 0, 101, fractions, words, empty, missing and repeats, naming length', () => {
    for (const bad of [
      '0',
      '101',
      '1.5',
      'abc',
      '',
      undefined,
      '-1',
      ' 5',
      '1e2',
      1.5,
      ['1', '2'],
    ]) {
      assertError(bad, '2024-03-05', 'length');
    }
  });

  it('says length is required when it is missing', () => {
    assert.match(resolve(undefined, undefined) as string, /length is required/);
  });
});

describe('resolveDayRange: ending_at', () => {
  it('ends on the date written, whatever the offset or the zone', () => {
    const forms = [
      '2024-03-05T10:00',
      '2024-03-05T10:00Z',
      '2024-03-05T10:00:30',
      '2024-03-05T10:00:30Z',
      '2024-03-05T10:00:30.5Z',
      '2024-03-05T10:00:30.123Z',
      '2024-03-05T23:59:59.999+14:00',
      '2024-03-05T00:00:01-12:00',
      '2024-03-05T10:00:00+05:30',
      '2024-03-05T10:00:00+5:30',
      '2024-03-05T10:00:00-0800',
      '2024-03-05T10:00:00+0545',
      '2024-03-05T10:00-3:00',
    ];
    for (const form of forms) {
      assert.deepEqual(resolve('2', form), ['2024-03-04', '2024-03-05'], form);
      assert.deepEqual(resolve('2', form, 'Asia/Tokyo'), ['2024-03-04', '2024-03-05'], form);
      assert.deepEqual(
        resolve('2', form, 'America/Los_Angeles'),
        ['2024-03-04', '2024-03-05'],
        form,
      );
    }
  });

  it('takes a space where a + was decoded from an unencoded query string', () => {
    assert.deepEqual(resolve('1', '2024-03-05T10:00:00 05:30'), ['2024-03-05', '2024-03-05']);
    assert.deepEqual(resolve('1', '2024-03-05T10:00 0530'), ['2024-03-05', '2024-03-05']);
    assert.deepEqual(resolve('1', '2024-03-05T10:00:00 5:30'), ['2024-03-05', '2024-03-05']);
  });

  it('ends the day before at exactly midnight or for a bare date', () => {
    for (const form of [
      '2024-03-01',
      '2024-03-01T00:00',
      '2024-03-01T00:00Z',
      '2024-03-01T00:00:00',
      '2024-03-01T00:00:00.000Z',
      '2024-03-01T00:00:00+05:30',
      '2024-03-01T00:00:00-0800',
    ]) {
      assert.deepEqual(resolve('3', form), ['2024-02-27', '2024-02-29'], form);
    }
  });

  it('is not midnight one millisecond, second or minute later', () => {
    for (const form of ['2024-03-01T00:00:00.001Z', '2024-03-01T00:00:01Z', '2024-03-01T00:01']) {
      assert.deepEqual(resolve('1', form), ['2024-03-01', '2024-03-01'], form);
    }
  });

  it('crosses a year boundary', () => {
    assert.deepEqual(resolve('3', '2025-01-01'), ['2024-12-29', '2024-12-31']);
    assert.deepEqual(resolve('3', '2025-01-01T08:00Z'), ['2024-12-30', '2025-01-01']);
  });

  it('is today in the reporting zone when absent or empty', () => {
    assert.deepEqual(resolve('2', undefined), ['2024-04-30', '2024-05-01']);
    assert.deepEqual(resolve('2', undefined, 'Asia/Tokyo'), ['2024-05-01', '2024-05-02']);
    assert.deepEqual(resolve('1', '', 'Asia/Tokyo'), ['2024-05-02', '2024-05-02']);
    assert.deepEqual(resolve('1', undefined, 'Pacific/Honolulu'), ['2024-05-01', '2024-05-01']);
  });

  it('refuses dates that do not exist, naming ending_at', () => {
    for (const bad of [
      '2024-02-30',
      '2023-02-29',
      '2024-13-01',
      '2024-00-10',
      '2024-04-31T10:00Z',
    ]) {
      assertError('1', bad, 'ending_at');
    }
  });

  it('refuses impossible times and offsets', () => {
    for (const bad of [
      '2024-03-05T24:00',
      '2024-03-05T10:60',
      '2024-03-05T10:00:60',
      '2024-03-05T10:00+24:00',
      '2024-03-05T10:00+05:60',
      '2024-03-05T10:00+0560',
    ]) {
      assertError('1', bad, 'ending_at');
    }
  });

  it('refuses other forms', () => {
    for (const bad of [
      'yesterday',
      '2024-3-5',
      '20240305',
      '2024/03/05',
      '2024-03-05T10',
      '2024-03-05 10:00',
      '2024-03-05T10:00:00.1234Z',
      '2024-03-05T10:00+05',
      '2024-03-05T10:00+530',
      '2024-03-05T10:00  05:30',
      '2024-03-05T10:00:00z',
      '2024-03-05T10:00Z ',
      ' 2024-03-05',
      '1969-12-31',
      1709632800,
      ['2024-03-05', '2024-03-06'],
    ]) {
      assertError('1', bad, 'ending_at');
    }
  });
});
