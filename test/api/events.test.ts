/** POST /events: every event of a request lands in exactly one counter of the answer. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { currents } from '../support/events.js';
import { bearer, startHarness, type Harness } from './harness.js';

describe('POST /events', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  const post = (payload: string, contentType = 'application/json') =>
    h.app.inject({
      method: 'POST',
      url: '/events',
      headers: { ...bearer(h.key), 'content-type': contentType },
      payload,
    });

  const send = currents('email.Send', { id: 's1', at: '2026-01-01T10:00:00Z' });

  it('reports accepted, duplicates, ignored, conflicts and errors with request positions', async () => {
    const first = await post(JSON.stringify([send]));
    assert.equal(first.statusCode, 200);
    assert.deepEqual(first.json(), {
      message: 'success',
      accepted: 1,
      duplicates: 0,
      ignored: 0,
      conflicts: 0,
      errors: [],
    });

    const mixed = await post(
      JSON.stringify({
        events: [
          send, // same id, same content
          { ...send, campaign_id: 'other' }, // same id, other content
          currents('email.Open', { id: 'o1', at: '2026-01-01T11:00:00Z', campaign: null }), // counts nowhere
          { id: 'bad', event_type: 'users.messages.email.Open' }, // no time, no user
          currents('email.Open', { id: 'o2', at: '2026-01-01T11:00:00Z' }),
        ],
      }),
    );
    assert.equal(mixed.statusCode, 200);
    const body = mixed.json();
    assert.deepEqual(
      { ...body, errors: body.errors.map((e: { index: number; id?: string }) => [e.index, e.id]) },
      {
        message: 'success',
        accepted: 1,
        duplicates: 1,
        ignored: 1,
        conflicts: 1,
        errors: [
          [1, 's1'],
          [3, 'bad'],
        ],
      },
    );
  });

  it('reads NDJSON, keeping the good lines when one is broken', async () => {
    const lines = [
      JSON.stringify(currents('email.Send', { id: 'n1', at: '2026-01-01T10:00:00Z', user: 'u2' })),
      '{not json',
      '',
      JSON.stringify(currents('email.Send', { id: 'n2', at: '2026-01-01T10:00:00Z', user: 'u3' })),
    ].join('\n');
    const response = await post(lines, 'application/x-ndjson');
    assert.equal(response.statusCode, 200);
    const body = response.json();
    assert.equal(body.accepted, 2);
    assert.equal(body.errors.length, 1);
    assert.equal(body.errors[0].index, 1);
    assert.match(body.errors[0].message, /^line 2 is not valid JSON/);
  });

  it('answers 400 with the errors when nothing in the request is valid, and stores nothing', async () => {
    const response = await post(
      JSON.stringify([{ id: 'x1' }, { id: 'x2', event_type: 'users.messages.email.Send' }]),
    );
    assert.equal(response.statusCode, 400);
    const body = response.json();
    assert.equal(body.message, 'no valid events: 2 rejected');
    assert.equal(body.accepted, 0);
    assert.deepEqual(
      body.errors.map((e: { index: number }) => e.index),
      [0, 1],
    );
  });

  it('answers 400 for a body that is not a batch', async () => {
    for (const payload of ['{"event_type": "users.messages.email.Send"}', '{"events": 3}', '[1,']) {
      const response = await post(payload);
      assert.equal(response.statusCode, 400, payload);
      assert.deepEqual(Object.keys(response.json()), ['message'], payload);
    }
  });

  it('answers 413 for more than 10,000 events, as JSON and as NDJSON', async () => {
    const events = Array.from({ length: 10_001 }, (_, i) => ({ id: `e${i}` }));
    const json = await post(JSON.stringify(events));
    assert.equal(json.statusCode, 413);
    assert.deepEqual(json.json(), { message: 'at most 10000 events per request (got 10001)' });
    const ndjson = await post(
      events.map((e) => JSON.stringify(e)).join('\n'),
      'application/x-ndjson',
    );
    assert.equal(ndjson.statusCode, 413);
  });

  it('warns about purchases in a currency without a rate, and not once the rate is set', async () => {
    const purchase = (id: string, currency: string) =>
      currents('users.behaviors.Purchase', {
        id,
        at: '2026-01-02T10:00:00Z',
        campaign: null,
        product_id: 'shoes',
        price: 20,
        currency,
      });
    const first = await post(
      JSON.stringify([purchase('p1', 'JPY'), purchase('p2', 'jpy'), purchase('p3', 'USD')]),
    );
    assert.equal(first.statusCode, 200);
    const body = first.json();
    assert.equal(body.accepted, 3);
    assert.equal(body.warnings.length, 1);
    assert.match(body.warnings[0], /^2 purchases in JPY count in no revenue/);
    assert.match(body.warnings[0], /tally workspace set-rate/);

    const usdOnly = await post(JSON.stringify([purchase('p4', 'USD')]));
    assert.equal(usdOnly.json().warnings, undefined);
    await h.store.setCurrencyRate(h.workspace.id, 'JPY', 0.0067);
    const rated = await post(JSON.stringify([purchase('p5', 'JPY')]));
    assert.equal(rated.statusCode, 200);
    assert.equal(rated.json().warnings, undefined);
  });

  it('answers 415 for a body that is neither JSON nor NDJSON', async () => {
    const response = await post('id,event_type', 'text/csv');
    assert.equal(response.statusCode, 415);
    assert.match(response.json().message, /application\/json or application\/x-ndjson/);
  });

  describe("Braze's real-time export (SPEC §2)", () => {
    const braze = (key: string | undefined, events: unknown[] | string) =>
      h.app.inject({
        method: 'POST',
        url: '/events',
        headers: {
          ...(key === undefined ? {} : bearer(key)),
          'content-type': 'application/json',
          'braze-currents-version': '1',
        },
        payload: typeof events === 'string' ? events : JSON.stringify({ events }),
      });

    it('answers the empty credential check 200 with a valid key, 401 or 403 without', async () => {
      const ok = await braze(h.key, []);
      assert.equal(ok.statusCode, 200);
      assert.equal(ok.json().message, 'success');
      assert.equal((await braze(undefined, [])).statusCode, 401);
      assert.equal((await braze('tk_not-a-key', [])).statusCode, 401);
      const readOnly = await h.keyWith(['campaigns.data_series']);
      assert.equal((await braze(readOnly, [])).statusCode, 403);
    });

    it('reads a nested event as the flat record it nests, and a retry of either is a duplicate', async () => {
      const flat = currents('email.Open', { id: 'rt-1', at: '2026-02-01T10:00:00Z', user: 'ru' });
      const { id, event_type, time_ms, external_user_id, ...properties } = flat;
      const nested = { id, event_type, time_ms, user: { external_user_id }, properties };
      const first = await braze(h.key, [nested]);
      assert.deepEqual([first.statusCode, first.json().accepted], [200, 1]);
      const again = await braze(h.key, [flat]);
      assert.deepEqual([again.statusCode, again.json().duplicates], [200, 1]);
    });

    it('stores the good events of a batch and lists the refused ones, one error each (200)', async () => {
      // Written as text: 5,000 levels are too deep for JSON.stringify itself.
      const deep = `${'{"deeper":'.repeat(5_000)}"bottom"${'}'.repeat(5_000)}`;
      const good = currents('email.Send', { id: 'rt-2', at: '2026-02-01T10:00:00Z' });
      const head = JSON.stringify(
        currents('email.Send', { id: 'rt-3', at: '2026-02-01T10:00:00Z' }),
      );
      const tooDeep = `${head.slice(0, -1)},"extra":${deep}}`;
      const batch = `{"events":[${tooDeep},${JSON.stringify(good)},{"id":"rt-4"}]}`;
      const response = await braze(h.key, batch);
      assert.equal(response.statusCode, 200);
      const body = response.json();
      assert.equal(body.accepted, 1);
      assert.deepEqual(
        body.errors.map((e: { index: number; id: string }) => [e.index, e.id]),
        [
          [0, 'rt-3'],
          [2, 'rt-4'],
        ],
      );
      assert.match(body.errors[0].message, /nested deeper than 64 levels/);
    });

    it('answers 400 only when nothing in the batch can ever be stored', async () => {
      const response = await braze(h.key, [{ id: 'rt-5' }, { id: 'rt-6', event_type: 'x' }]);
      assert.equal(response.statusCode, 400);
      assert.equal(response.json().errors.length, 2);
    });
  });
});
