/** The series endpoints end to end (SPEC §5): ingest over HTTP, then read the numbers back. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CONVERSION_FIELDS } from '../../src/domain/series.js';
import { currents } from '../support/events.js';
import { bearer, startHarness, type Harness } from './harness.js';

const DAY_KEYS = ['time', 'messages', ...CONVERSION_FIELDS, 'unique_recipients', 'revenue'];

interface Day {
  time: string;
  messages: Record<string, Record<string, string | number>[]>;
  unique_recipients: number;
  [key: string]: unknown;
}

describe('series endpoints', () => {
  let h: Harness;
  before(async () => {
    // New York: 2026-01-02T03:00Z is still January 1st there.
    h = await startHarness({
      timezone: 'America/New_York',
      now: () => Date.parse('2026-01-02T02:00:00Z'),
    });
    const events = [
      currents('email.Send', {
        id: 's1',
        at: '2026-01-01T15:00:00Z',
        user: 'u1',
        send_id: 'blast',
      }),
      currents('email.Send', { id: 's2', at: '2026-01-02T03:00:00Z', user: 'u2' }),
      currents('email.Open', {
        id: 'o1',
        at: '2026-01-02T15:00:00Z',
        user: 'u1',
        send_id: 'blast',
      }),
      currents('email.Send', {
        id: 'm1',
        at: '2026-01-01T15:00:00Z',
        user: 'u1',
        campaign: 'mv',
        variation: 'v2',
      }),
      currents('users.campaigns.EnrollInControl', {
        id: 'k1',
        at: '2026-01-01T16:00:00Z',
        user: 'u9',
        campaign: 'mv',
        variation: 'cg',
      }),
    ];
    const response = await h.app.inject({
      method: 'POST',
      url: '/events',
      headers: bearer(h.key),
      payload: events,
    });
    assert.equal(response.json().accepted, 5, response.body);
    const define = await h.app.inject({
      method: 'POST',
      url: '/campaigns/define',
      headers: bearer(h.key),
      payload: {
        campaign_id: 'mv',
        channels: ['email'],
        variations: [
          { id: 'v1', name: 'A' },
          { id: 'v2', name: 'B' },
          { id: 'cg', name: 'Control', control: true },
        ],
      },
    });
    assert.equal(define.statusCode, 200, define.body);
  });
  after(() => h.close());

  const series = async (query: string, path = '/campaigns/data_series') => {
    const response = await h.app.inject({ url: `${path}?${query}`, headers: bearer(h.key) });
    return { status: response.statusCode, body: response.json() };
  };

  it('answers exactly `length` days, oldest first, in the workspace zone, with the SPEC fields', async () => {
    const { status, body } = await series('campaign_id=c1&length=3&ending_at=2026-01-02T10:00');
    assert.equal(status, 200);
    assert.equal(body.message, 'success');
    const data = body.data as Day[];
    assert.deepEqual(
      data.map((d) => d.time),
      ['2025-12-31', '2026-01-01', '2026-01-02'],
    );
    for (const day of data) assert.deepEqual(Object.keys(day), DAY_KEYS);
    const [dec31, jan1, jan2] = data as [Day, Day, Day];
    assert.deepEqual(dec31.messages.email![0]!.sent, 0);
    assert.equal(jan1.messages.email![0]!.sent, 2);
    assert.equal(jan1.unique_recipients, 2);
    assert.equal(jan2.messages.email![0]!.opens, 1);
    assert.equal(jan2.messages.email![0]!.unique_opens, 1);
    assert.equal(jan2.unique_recipients, 0);
    // Not multivariate: the entry has no variation_name (SPEC §5 multichannel entries).
    assert.equal(jan1.messages.email![0]!.variation_api_id, 'v1');
    assert.ok(!('variation_name' in jan1.messages.email![0]!));
  });

  it('ends on the day before for a bare date or exactly midnight, and on today by default', async () => {
    for (const endingAt of ['2026-01-02', '2026-01-02T00:00:00Z', '2026-01-01T23:59%2B05:00']) {
      const { body } = await series(`campaign_id=c1&length=1&ending_at=${endingAt}`);
      assert.equal(body.data[0].time, '2026-01-01', endingAt);
    }
    // now = 2026-01-02T02:00Z, which is January 1st in New York.
    const { body } = await series('campaign_id=c1&length=2');
    assert.deepEqual(
      body.data.map((d: Day) => d.time),
      ['2025-12-31', '2026-01-01'],
    );
  });

  it('answers 400 naming ending_at for a date it cannot read', async () => {
    const { status, body } = await series('campaign_id=c1&length=1&ending_at=2026-02-30');
    assert.equal(status, 400);
    assert.match(body.message, /^ending_at /);
  });

  it('answers 400 naming campaign_id for a campaign the workspace does not have', async () => {
    const { status, body } = await series('campaign_id=nope&length=1');
    assert.equal(status, 400);
    assert.deepEqual(body, { message: 'campaign_id "nope" is not a campaign of this workspace' });
  });

  it('shapes a multivariate campaign: every variation in defined order, then control', async () => {
    const { body } = await series('campaign_id=mv&length=1&ending_at=2026-01-01T12:00');
    const email = (body.data[0] as Day).messages.email!;
    assert.deepEqual(
      email.map((e) => [e.variation_api_id, e.variation_name]),
      [
        ['v1', 'A'],
        ['v2', 'B'],
        ['cg', 'Control'],
      ],
    );
    assert.equal(email[1]!.sent, 1);
    assert.equal(email[1]!.unique_recipients, 1);
    assert.equal(email[2]!.enrolled, 1);
    assert.ok(!('sent' in email[2]!));
  });

  it('answers a send series with only that send’s events, and 400 naming send_id for an unknown send', async () => {
    const path = '/sends/data_series';
    const { status, body } = await series(
      'campaign_id=c1&send_id=blast&length=2&ending_at=2026-01-02T12:00',
      path,
    );
    assert.equal(status, 200);
    const [jan1, jan2] = body.data as [Day, Day];
    assert.equal(jan1.messages.email![0]!.sent, 1);
    assert.equal(jan1.messages.email![0]!.variation_name, 'v1');
    assert.equal(jan2.messages.email![0]!.opens, 1);
    const unknown = await series('campaign_id=c1&send_id=other&length=1', path);
    assert.equal(unknown.status, 400);
    assert.deepEqual(unknown.body, { message: 'send_id "other" is not a send of campaign "c1"' });
    const missing = await series('campaign_id=c1&length=1', path);
    assert.deepEqual(missing.body, { message: 'send_id is required: a non-empty string' });
  });
});
