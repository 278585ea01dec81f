/** POST /campaigns/define: stores a valid definition, refuses an invalid one naming the field. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, startHarness, type Harness } from './harness.js';

describe('POST /campaigns/define', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  const define = (payload: unknown) =>
    h.app.inject({
      method: 'POST',
      url: '/campaigns/define',
      headers: bearer(h.key),
      payload: payload as object,
    });

  it('stores the definition, and a second definition replaces the first', async () => {
    const first = await define({
      campaign_id: 'spring',
      name: 'Spring sale',
      channels: ['email', 'ios_push'],
      variations: [
        { id: 'v1', name: 'Variant 1' },
        { id: 'cg', name: 'Control Group', control: true },
      ],
      conversion_behaviors: [{ type: 'Makes Any Purchase', window: 259200 }],
    });
    assert.equal(first.statusCode, 200);
    assert.deepEqual(first.json(), { message: 'success', campaign_id: 'spring' });
    const stored = await h.store.getCampaign(h.workspace.id, 'spring');
    assert.deepEqual(stored?.channels, ['ios_push', 'email']);
    assert.deepEqual(
      stored?.variations.map((v) => [v.id, v.control]),
      [
        ['v1', false],
        ['cg', true],
      ],
    );

    await define({ campaign_id: 'spring', name: 'Renamed', channels: ['sms'] });
    const replaced = await h.store.getCampaign(h.workspace.id, 'spring');
    assert.equal(replaced?.name, 'Renamed');
    assert.deepEqual(replaced?.definition?.channels, ['sms']);
  });

  it('refuses an invalid definition with 400 naming the field, and stores nothing', async () => {
    const cases: [unknown, string][] = [
      [{ channels: ['email'] }, 'campaign_id must be a string of 1 to 128 characters'],
      [{ campaign_id: 'bad1', channels: ['fax'] }, 'channels[0] must be one of'],
      [
        { campaign_id: 'bad2', variations: [{ id: 'a' }, { id: 'a' }] },
        'variations[1].id "a" is used twice',
      ],
      [
        {
          campaign_id: 'bad3',
          conversion_behaviors: [
            { type: 'Makes Any Purchase', window: 60 },
            { type: 'Opens Email', window: 0 },
          ],
        },
        'conversion_behaviors[1].window must be an integer from 1 to 2592000',
      ],
      [
        { campaign_id: 'bad4', conversion_behaviors: [{ type: 'Teleports', window: 60 }] },
        'conversion_behaviors[0].type must be one of',
      ],
      [[{ campaign_id: 'bad5' }], 'the campaign definition must be a JSON object'],
    ];
    for (const [payload, message] of cases) {
      const response = await define(payload);
      assert.equal(response.statusCode, 400, message);
      assert.ok(
        response.json().message.startsWith(message),
        `${response.json().message} vs ${message}`,
      );
    }
    for (const id of ['bad1', 'bad2', 'bad3', 'bad4']) {
      assert.equal(await h.store.getCampaign(h.workspace.id, id), undefined);
    }
  });
});
