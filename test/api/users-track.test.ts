/** POST /users/track: Braze's body, stored as behaviors that convert, retried without double counting. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseDay } from '../../src/domain/time.js';
import { currents } from '../support/events.js';
import { bearer, startHarness, type Harness } from './harness.js';

const DAY = { firstDay: parseDay('2026-01-05')!, lastDay: parseDay('2026-01-05')! };

describe('POST /users/track', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    await h.store.defineCampaign(h.workspace.id, {
      campaign_id: 'c1',
      channels: ['email'],
      conversion_behaviors: [
        { type: 'Performs Custom Event', custom_event_name: 'signup', window: 86_400 },
      ],
    });
    const send = currents('email.Send', { id: 's1', at: '2026-01-05T10:00:00Z', user: 'u1' });
    const answer = await h.app.inject({
      method: 'POST',
      url: '/events',
      headers: bearer(h.key),
      payload: [send],
    });
    assert.equal(answer.statusCode, 200);
  });
  after(() => h.close());

  const track = (body: unknown, key = h.key) =>
    h.app.inject({
      method: 'POST',
      url: '/users/track',
      headers: bearer(key),
      payload: body as object,
    });

  /** The day's figure of one day-level metric. */
  const dayFigure = async (metric: string) =>
    (await h.store.campaignSeries(h.workspace.id, 'c1', DAY)).find(
      (c) => c.channel === null && c.variationId === null && c.metric === metric,
    )?.value ?? 0;

  const body = {
    attributes: [{ external_id: 'u1', first_name: 'Ada' }],
    events: [{ external_id: 'u1', name: 'signup', time: '2026-01-05T11:00:00Z' }],
    purchases: [
      // 2 × 3.5 USD = 7, and a yen purchase the workspace has no rate for.
      {
        external_id: 'u1',
        product_id: 'p',
        price: 3.5,
        quantity: 2,
        currency: 'USD',
        time: '2026-01-05T12:00:00Z',
      },
      {
        external_id: 'u1',
        product_id: 'p',
        price: 500,
        currency: 'JPY',
        time: '2026-01-05T12:30:00Z',
      },
      { external_id: 'u1', product_id: 'p', currency: 'USD', time: '2026-01-05T12:00:00Z' },
    ],
  };

  it('refuses a key without users.track', async () => {
    const key = await h.keyWith(['events.write']);
    const answer = await track(body, key);
    assert.equal(answer.statusCode, 403);
    assert.deepEqual(answer.json(), { message: 'Access Denied' });
  });

  it('stores events and purchases as behaviors that convert, and reports what it refused', async () => {
    const answer = await track(body);
    assert.equal(answer.statusCode, 200);
    const json = answer.json();
    assert.deepEqual(
      { ...json, warnings: json.warnings.length },
      {
        message: 'success',
        attributes_processed: 1,
        events_processed: 1,
        purchases_processed: 2,
        errors: [
          {
            type: json.errors[0].type,
            input_array: 'purchases',
            index: 2,
          },
        ],
        warnings: 1,
      },
    );
    assert.match(json.errors[0].type, /price/);
    assert.match(json.warnings[0], /JPY/);
    // The signup converts s1; revenue counts only the USD purchase.
    assert.equal(await dayFigure('conversions'), 1);
    assert.equal(await dayFigure('revenue'), 7);
  });

  it('does not double count a retried request', async () => {
    const answer = await track(body);
    assert.equal(answer.statusCode, 200);
    assert.equal(await dayFigure('conversions'), 1);
    assert.equal(await dayFigure('revenue'), 7);
  });

  it('refuses more than 75 objects in one array, and a request with nothing valid', async () => {
    const events = Array.from({ length: 76 }, (_, i) => ({
      external_id: 'u1',
      name: `e${i}`,
      time: 1_767_607_200,
    }));
    const tooMany = await track({ events });
    assert.equal(tooMany.statusCode, 400);
    assert.match(tooMany.json().message, /at most 75/);
    const nothing = await track({ events: [{ name: 'signup' }] });
    assert.equal(nothing.statusCode, 400);
    assert.equal(nothing.json().events_processed, 0);
    assert.equal(nothing.json().errors.length, 1);
  });
});
