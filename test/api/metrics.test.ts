/** GET /metrics: Prometheus text whose counters move with the traffic, behind an optional token. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { currents } from '../support/events.js';
import { bearer, startHarness, type Harness } from './harness.js';

/** The value of one sample line, e.g. `tally_events_total{outcome="accepted",...}`; 0 if absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (wanted.every((label) => line.includes(label))) return Number(line.split(' ').at(-1));
  }
  return 0;
}

describe('GET /metrics', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      metrics: { token: 'scrape-secret' },
      limits: { dataSeries: { limit: 3, windowMs: 60_000 } },
    });
  });
  after(() => h.close());

  const scrape = async () => {
    const response = await h.app.inject({ url: '/metrics', headers: bearer('scrape-secret') });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^text\/plain/);
    return response.body;
  };

  it('is readable only with the metrics token, never with an API key', async () => {
    assert.equal((await h.app.inject({ url: '/metrics' })).statusCode, 401);
    const withKey = await h.app.inject({ url: '/metrics', headers: bearer(h.key) });
    assert.equal(withKey.statusCode, 401);
    assert.equal(typeof withKey.json().message, 'string');
  });

  it('moves its counters with the traffic, and names no workspace', async () => {
    const before = await scrape();
    const open = currents('email.Open', { id: 'm-o1', at: '2026-01-05T10:00:00Z' });
    const events = [
      currents('email.Send', { id: 'm-s1', at: '2026-01-05T09:00:00Z' }),
      open,
      open, // duplicate within the request
      currents('email.Open', { id: 'm-o2', at: '2026-01-05T10:00:00Z', campaign: null }),
      { id: 'm-bad', event_type: 'users.messages.sms.Send' },
      { id: 'm-odd', event_type: 'made.up.Type', time: 1_767_600_000, external_user_id: 'u' },
    ];
    const ingest = await h.app.inject({
      method: 'POST',
      url: '/events',
      headers: bearer(h.key),
      payload: events,
    });
    assert.equal(ingest.statusCode, 200);
    const series = '/campaigns/data_series?campaign_id=c1&length=3&ending_at=2026-01-06';
    for (let i = 0; i < 4; i++) await h.app.inject({ url: series, headers: bearer(h.key) });
    const after = await scrape();

    const moved = (name: string, labels: Record<string, string> = {}) =>
      sample(after, name, labels) - sample(before, name, labels);
    const events_ = (outcome: string, event_type: string) =>
      moved('tally_events_total', { outcome, event_type });
    assert.equal(events_('accepted', 'users.messages.email.Send'), 1);
    assert.equal(events_('accepted', 'users.messages.email.Open'), 1);
    assert.equal(events_('duplicate', 'users.messages.email.Open'), 1);
    assert.equal(events_('ignored', 'users.messages.email.Open'), 1);
    assert.equal(events_('rejected', 'users.messages.sms.Send'), 1);
    // Types outside the catalog are one label, whatever clients send.
    assert.equal(events_('ignored', 'other'), 1);
    const route = { route: '/campaigns/data_series', method: 'GET' };
    assert.equal(
      moved('tally_http_request_duration_seconds_count', { ...route, status: '200' }),
      3,
    );
    assert.equal(
      moved('tally_http_request_duration_seconds_count', { ...route, status: '429' }),
      1,
    );
    assert.equal(moved('tally_rate_limit_refusals_total', { family: 'dataSeries' }), 1);
    // The same answer three times on an unchanged store: one computed, two from the cache.
    assert.equal(moved('tally_series_cache_total', { result: 'miss' }), 1);
    assert.equal(moved('tally_series_cache_total', { result: 'hit' }), 2);
    assert.ok(moved('tally_store_call_duration_seconds_count', { method: 'ingest' }) === 1);
    assert.ok(sample(after, 'tally_sqlite_wal_bytes') > 0);
    assert.ok(!after.includes(h.workspace.id), 'a workspace id is in the metrics');
  });
});

describe('GET /metrics: /users/track', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ metrics: { token: null } });
  });
  after(() => h.close());

  it('counts its events and purchases as the behaviors they become', async () => {
    const read = async () => (await h.app.inject({ url: '/metrics' })).body;
    const before = await read();
    const time = '2026-01-05T10:00:00Z';
    const track = await h.app.inject({
      method: 'POST',
      url: '/users/track',
      headers: bearer(h.key),
      payload: {
        events: [
          { external_id: 'u1', name: 'signup', time },
          { name: 'no user', time },
        ],
        purchases: [
          { external_id: 'u1', product_id: 'p', price: 1, currency: 'USD', time },
          { external_id: 'u1', product_id: 'p', price: 1, currency: 'USD', time }, // the same
        ],
      },
    });
    assert.equal(track.statusCode, 200);
    const after = await read();
    const moved = (outcome: string, event_type: string) =>
      sample(after, 'tally_events_total', { outcome, event_type }) -
      sample(before, 'tally_events_total', { outcome, event_type });
    assert.equal(moved('accepted', 'users.behaviors.CustomEvent'), 1);
    assert.equal(moved('rejected', 'users.behaviors.CustomEvent'), 1);
    assert.equal(moved('accepted', 'users.behaviors.Purchase'), 1);
    assert.equal(moved('duplicate', 'users.behaviors.Purchase'), 1);
  });
});
