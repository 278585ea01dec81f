/**
 * `format=csv` on both series endpoints: parsed back and compared with the JSON answer of
 * the same request, row by row (docs/api.md describes the layout).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { event } from '../support/events.js';
import { bearer, startHarness, type Harness } from './harness.js';

/** RFC 4180 records (quoted fields may hold commas, quotes and newlines). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  assert.equal(field, '', 'the CSV ends with CRLF');
  return rows;
}

type Json = Record<string, unknown>;

/** The rows the JSON answer implies: one per day × channel × entry, day figures repeated. */
function rowsFromJson(data: Json[], header: string[]): string[][] {
  const rows: string[][] = [];
  for (const day of data) {
    const messages = day.messages as Record<string, Json[]>;
    for (const [channel, entries] of Object.entries(messages)) {
      for (const entry of entries) {
        rows.push(
          header.map((column) => {
            if (column === 'time') return String(day.time);
            if (column === 'channel') return channel;
            if (column === 'entry') return 'enrolled' in entry ? 'control' : 'variation';
            if (column.startsWith('day_')) return String(day[column.slice(4)]);
            return column in entry ? String(entry[column]) : '';
          }),
        );
      }
    }
  }
  return rows;
}

describe('series as CSV', () => {
  let h: Harness;
  const get = (url: string) => h.app.inject({ url, headers: bearer(h.key) });

  before(async () => {
    h = await startHarness();
    await h.store.defineCampaign(h.workspace.id, {
      campaign_id: 'c1',
      channels: ['email', 'ios_push'],
      variations: [
        { id: 'v1', name: 'Plain, "quoted"' },
        { id: 'v2', name: '=HYPERLINK("x")' },
        { id: 'cg', name: 'Control', control: true },
      ],
    });
    await h.store.defineCampaign(h.workspace.id, { campaign_id: 'solo', channels: ['sms'] });
    await h.store.ingest(h.workspace.id, [
      event('email.Send', { id: 'a', at: '2026-01-04T10:00:00Z', send_id: 's1' }),
      event('email.Open', { id: 'b', at: '2026-01-05T10:00:00Z', send_id: 's1' }),
      event('pushnotification.Send', {
        id: 'c',
        at: '2026-01-05T11:00:00Z',
        platform: 'ios',
        variation: 'v2',
        user: 'u2',
      }),
      event('users.campaigns.EnrollInControl', {
        id: 'd',
        at: '2026-01-05T12:00:00Z',
        variation: 'cg',
        user: 'u3',
      }),
      event('sms.Send', { id: 'e', at: '2026-01-05T12:00:00Z', campaign: 'solo' }),
    ]);
  });
  after(() => h.close());

  for (const [name, path] of [
    ['campaign', '/campaigns/data_series?campaign_id=c1&length=3&ending_at=2026-01-05T12:00Z'],
    ['send', '/sends/data_series?campaign_id=c1&send_id=s1&length=3&ending_at=2026-01-05T12:00Z'],
    [
      'multichannel',
      '/campaigns/data_series?campaign_id=solo&length=2&ending_at=2026-01-05T12:00Z',
    ],
  ] as const) {
    it(`gives one row per day, channel and entry with the JSON figures (${name} series)`, async () => {
      const json = await get(path);
      const csv = await get(`${path}&format=csv`);
      assert.equal(csv.statusCode, 200);
      assert.equal(csv.headers['content-type'], 'text/csv; charset=utf-8');
      const [header, ...rows] = parseCsv(csv.body);
      assert.deepEqual(header!.slice(0, 3), ['time', 'channel', 'entry']);
      assert.deepEqual(header!.slice(-10), [
        'day_conversions',
        'day_conversions1',
        'day_conversions2',
        'day_conversions3',
        'day_conversions_by_send_time',
        'day_conversions1_by_send_time',
        'day_conversions2_by_send_time',
        'day_conversions3_by_send_time',
        'day_unique_recipients',
        'day_revenue',
      ]);
      const expected = rowsFromJson(json.json().data, header!);
      // Formula-looking text is neutralised for spreadsheets; the rest is verbatim.
      const neutralised = expected.map((row) =>
        row.map((cell) => (cell.startsWith('=') ? `'${cell}` : cell)),
      );
      assert.deepEqual(rows, neutralised);
      assert.ok(rows.length > 0);
    });
  }

  it('carries the figures the JSON answer has (spot check)', async () => {
    const csv = await get(
      '/campaigns/data_series?campaign_id=c1&length=1&ending_at=2026-01-06&format=csv',
    );
    const [header, ...rows] = parseCsv(csv.body);
    const at = (row: string[], column: string) => row[header!.indexOf(column)];
    // 2026-01-05: ios_push v1, v2, control; email v1, v2, control.
    assert.deepEqual(
      rows.map((r) => [at(r, 'channel'), at(r, 'variation_api_id'), at(r, 'entry')]),
      [
        ['ios_push', 'v1', 'variation'],
        ['ios_push', 'v2', 'variation'],
        ['ios_push', 'cg', 'control'],
        ['email', 'v1', 'variation'],
        ['email', 'v2', 'variation'],
        ['email', 'cg', 'control'],
      ],
    );
    assert.equal(at(rows[1]!, 'sent'), '1');
    assert.equal(at(rows[1]!, 'variation_name'), `'=HYPERLINK("x")`);
    assert.equal(at(rows[2]!, 'enrolled'), '1');
    assert.equal(at(rows[2]!, 'sent'), '');
    assert.equal(at(rows[3]!, 'opens'), '1');
    assert.equal(at(rows[3]!, 'variation_name'), 'Plain, "quoted"');
    assert.equal(at(rows[0]!, 'day_unique_recipients'), '1');
  });

  it('refuses an unknown format with a JSON 400', async () => {
    const response = await get('/campaigns/data_series?campaign_id=c1&length=1&format=xml');
    assert.equal(response.statusCode, 400);
    assert.deepEqual(response.json(), { message: 'format must be one of json, csv' });
  });
});
