/** SPEC §6 rate limits over HTTP: headers on every answer, 429, window reset, per-workspace budgets. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { createApiKey } from '../../src/api/keys.js';
import { PERMISSIONS } from '../../src/domain/permissions.js';
import { bearer, startHarness, type Harness } from './harness.js';

const MINUTE_MS = 60_000;
/** A whole minute, so windows start exactly here. */
const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);
const SERIES = '/campaigns/data_series?campaign_id=c1&length=1';

function limitHeaders(response: LightMyRequestResponse): [string, string, string] {
  return [
    String(response.headers['x-ratelimit-limit']),
    String(response.headers['x-ratelimit-remaining']),
    String(response.headers['x-ratelimit-reset']),
  ];
}

describe('rate limits over HTTP', () => {
  let h: Harness;
  let nowMs = T0;
  let otherKey: string;
  before(async () => {
    h = await startHarness({
      now: () => nowMs,
      limits: {
        dataSeries: { limit: 2, windowMs: MINUTE_MS },
        default: { limit: 3, windowMs: 60 * MINUTE_MS },
      },
    });
    await h.store.defineCampaign(h.workspace.id, { campaign_id: 'c1', channels: ['email'] });
    const other = await h.store.createWorkspace('other', 'UTC');
    otherKey = await createApiKey(h.store, other.id, PERMISSIONS);
  });
  after(() => h.close());

  it('counts down on every answer, errors included, then answers 429 until the window resets', async () => {
    const reset = String((T0 + MINUTE_MS) / 1000);
    const ok = await h.app.inject({ url: SERIES, headers: bearer(h.key) });
    assert.equal(ok.statusCode, 200);
    assert.deepEqual(limitHeaders(ok), ['2', '1', reset]);
    nowMs = T0 + 30_000;
    const invalid = await h.app.inject({
      url: '/campaigns/data_series?campaign_id=c1',
      headers: bearer(h.key),
    });
    assert.equal(invalid.statusCode, 400);
    assert.deepEqual(limitHeaders(invalid), ['2', '0', reset]);
    const limited = await h.app.inject({ url: SERIES, headers: bearer(h.key) });
    assert.equal(limited.statusCode, 429);
    assert.deepEqual(limitHeaders(limited), ['2', '0', reset]);
    assert.match(limited.json().message, /^rate limit exceeded: 2 requests per minute/);
    assert.equal(limited.headers['retry-after'], '30');

    nowMs = T0 + MINUTE_MS;
    const again = await h.app.inject({ url: SERIES, headers: bearer(h.key) });
    assert.equal(again.statusCode, 200);
    assert.deepEqual(limitHeaders(again), ['2', '1', String((T0 + 2 * MINUTE_MS) / 1000)]);
  });

  it('keeps each workspace’s budget and data apart', async () => {
    nowMs = T0 + 10 * MINUTE_MS;
    for (let i = 0; i < 2; i++) await h.app.inject({ url: SERIES, headers: bearer(h.key) });
    assert.equal((await h.app.inject({ url: SERIES, headers: bearer(h.key) })).statusCode, 429);
    // Another workspace still has its whole budget, and does not see the first one's campaign.
    const other = await h.app.inject({ url: SERIES, headers: bearer(otherKey) });
    assert.deepEqual(limitHeaders(other).slice(0, 2), ['2', '1']);
    assert.equal(other.statusCode, 400);
    assert.match(other.json().message, /^campaign_id "c1" is not a campaign of this workspace/);
  });

  it('gives /campaigns/data_series its own budget; other endpoints share theirs', async () => {
    nowMs = T0 + 120 * MINUTE_MS; // a fresh hour and minute
    await h.app.inject({ url: SERIES, headers: bearer(h.key) });
    const send = await h.app.inject({
      url: '/sends/data_series?campaign_id=c1&send_id=s&length=1',
      headers: bearer(h.key),
    });
    assert.deepEqual(limitHeaders(send).slice(0, 2), ['3', '2']);
    const define = await h.app.inject({
      method: 'POST',
      url: '/campaigns/define',
      headers: bearer(h.key),
      payload: { campaign_id: 'c2' },
    });
    assert.deepEqual(limitHeaders(define).slice(0, 2), ['3', '1']);
    const unknown = await h.app.inject({ url: '/nowhere', headers: bearer(h.key) });
    assert.equal(unknown.statusCode, 404);
    assert.deepEqual(limitHeaders(unknown).slice(0, 2), ['3', '0']);
    const limited = await h.app.inject({
      method: 'POST',
      url: '/events',
      headers: bearer(h.key),
      payload: [],
    });
    assert.equal(limited.statusCode, 429);
  });

  it('limits requests without a valid key per client IP, with headers on the 401s', async () => {
    nowMs = T0 + 240 * MINUTE_MS;
    const fromIp = (remoteAddress: string) => h.app.inject({ url: SERIES, remoteAddress });
    const first = await fromIp('10.0.0.1');
    assert.equal(first.statusCode, 401);
    assert.deepEqual(limitHeaders(first).slice(0, 2), ['2', '1']);
    await fromIp('10.0.0.1');
    assert.equal((await fromIp('10.0.0.1')).statusCode, 429);
    assert.equal((await fromIp('10.0.0.2')).statusCode, 401);
    // The workspace's own budget was not touched by the anonymous requests.
    const keyed = await h.app.inject({
      url: SERIES,
      headers: bearer(h.key),
      remoteAddress: '10.0.0.1',
    });
    assert.equal(keyed.statusCode, 200);
  });

  it('never lets a key without the permission spend the workspace budget (SPEC §6)', async () => {
    nowMs = T0 + 480 * MINUTE_MS;
    const noPermission = await h.keyWith(['campaigns.list']);
    for (let i = 0; i < 2; i++) {
      const denied = await h.app.inject({ url: SERIES, headers: bearer(noPermission) });
      assert.equal(denied.statusCode, 403);
    }
    // The key's own budget is spent: its next refusal is a 429 ...
    assert.equal(
      (await h.app.inject({ url: SERIES, headers: bearer(noPermission) })).statusCode,
      429,
    );
    // ... and the workspace's keys still have the whole of theirs.
    const first = await h.app.inject({ url: SERIES, headers: bearer(h.key) });
    assert.equal(first.statusCode, 200);
    assert.deepEqual(limitHeaders(first).slice(0, 2), ['2', '1']);
  });
});
