/** `POST /sends/id/create` (SPEC §7) over a real SQLite store. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { event } from '../support/events.js';
import { bearer, startHarness, type Harness } from './harness.js';

describe('POST /sends/id/create', () => {
  let h: Harness;
  let now = Date.parse('2026-01-05T10:00:00Z');
  const create = (payload: unknown, key = h.key) =>
    h.app.inject({
      method: 'POST',
      url: '/sends/id/create',
      headers: bearer(key),
      payload: payload as object,
    });
  const sendSeries = (sendId: string) =>
    h.app.inject({
      url: `/sends/data_series?campaign_id=c1&send_id=${encodeURIComponent(sendId)}&length=1&ending_at=2026-01-06`,
      headers: bearer(h.key),
    });

  before(async () => {
    h = await startHarness({
      now: () => now,
      limits: { sendIdCreate: { limit: 30, windowMs: 86_400_000 } },
    });
    await h.store.defineCampaign(h.workspace.id, { campaign_id: 'c1', channels: ['email'] });
  });
  after(() => h.close());

  it('creates the given send id, which /sends/data_series then answers before any event', async () => {
    assert.deepEqual((await sendSeries('launch-1')).json(), {
      message: 'send_id "launch-1" is not a send of campaign "c1"',
    });
    const response = await create({ campaign_id: 'c1', send_id: 'launch-1' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { message: 'success', send_id: 'launch-1' });
    const series = await sendSeries('launch-1');
    assert.equal(series.statusCode, 200);
    // No variation is defined or seen yet: the channel has no entries, but the day is there.
    assert.deepEqual(series.json().data[0].messages, { email: [] });
    assert.equal(series.json().data[0].unique_recipients, 0);
    await h.store.ingest(h.workspace.id, [
      event('email.Send', { id: 'r1', at: '2026-01-05T11:00:00Z', send_id: 'launch-1' }),
    ]);
    assert.equal((await sendSeries('launch-1')).json().data[0].messages.email[0].sent, 1);
  });

  it('generates unique ASCII ids when send_id is absent', async () => {
    const a = (await create({ campaign_id: 'c1' })).json().send_id as string;
    const b = (await create({ campaign_id: 'c1', send_id: null })).json().send_id as string;
    assert.notEqual(a, b);
    for (const id of [a, b]) {
      assert.match(id, /^[\x20-\x7e]{1,64}$/);
      assert.equal((await sendSeries(id)).statusCode, 200);
    }
  });

  it('refuses send ids that are not 1..64 printable ASCII characters, and unknown campaigns', async () => {
    const rule = 'send_id must be a string of 1 to 64 printable ASCII characters';
    for (const sendId of ['x'.repeat(65), 'café', '', 'tab\there', 42]) {
      const response = await create({ campaign_id: 'c1', send_id: sendId });
      assert.equal(response.statusCode, 400, String(sendId));
      assert.deepEqual(response.json(), { message: rule });
    }
    assert.equal((await create({ campaign_id: 'c1', send_id: 'y'.repeat(64) })).statusCode, 200);
    const unknown = await create({ campaign_id: 'nope' });
    assert.deepEqual(unknown.json(), {
      message: 'campaign_id "nope" is not a campaign of this workspace',
    });
    assert.deepEqual((await create({ send_id: 's' })).json(), {
      message: 'campaign_id is required: a non-empty string',
    });
  });

  it('needs sends.id.create (403) and counts against a per-day budget, reset the next UTC day', async () => {
    const denied = await create({ campaign_id: 'c1' }, await h.keyWith(['sends.data_series']));
    assert.equal(denied.statusCode, 403);
    assert.deepEqual(denied.json(), { message: 'Access Denied' });
    // A new UTC day opens a fresh window of 30 (this harness's limit; 100 by default).
    now = Date.parse('2026-01-06T23:59:00Z');
    const statuses = new Set<number>();
    for (let i = 0; i < 30; i++) statuses.add((await create({ campaign_id: 'c1' })).statusCode);
    assert.deepEqual([...statuses], [200]);
    const over = await create({ campaign_id: 'c1' });
    assert.equal(over.statusCode, 429);
    assert.match(over.json().message, /^rate limit exceeded: 30 requests per day/);
    now = Date.parse('2026-01-07T00:00:01Z');
    assert.equal((await create({ campaign_id: 'c1' })).statusCode, 200);
  });
});
