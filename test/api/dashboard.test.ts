/**
 * How the server serves the dashboard and the two endpoints it added: the page at `/` and at
 * every `/campaign/<id>`, hashed assets cached for good, a content security policy that keeps
 * everything on this origin; other paths still the API's JSON 404. `GET /workspace` for any
 * valid key, `GET /sends/list` with `sends.data_series`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, startHarness, type Harness } from './harness.js';

let h: Harness;

describe('the dashboard and its endpoints', () => {
  before(async () => {
    h = await startHarness({ timezone: 'Europe/Berlin' });
  });
  after(() => h.close());

  it('serves the page at / and at campaign paths, with a same-origin policy', async () => {
    for (const url of ['/', '/campaign/spring%20sale?days=7']) {
      const page = await h.app.inject({ url });
      assert.equal(page.statusCode, 200, url);
      assert.match(String(page.headers['content-type']), /^text\/html/);
      assert.equal(page.headers['cache-control'], 'no-cache');
      assert.match(String(page.headers['content-security-policy']), /default-src 'self'/);
      assert.equal(page.headers['referrer-policy'], 'no-referrer');
    }
    const html = (await h.app.inject({ url: '/' })).body;
    const script = /src="(\/assets\/main-\w+\.js)"/.exec(html)![1]!;
    const asset = await h.app.inject({ url: script });
    assert.equal(asset.statusCode, 200);
    assert.match(String(asset.headers['cache-control']), /immutable/);
    assert.ok(asset.body.length > 10_000);
    const missing = await h.app.inject({ url: '/assets/nothing.js' });
    assert.equal(missing.statusCode, 404);
    assert.equal(typeof missing.json().message, 'string');
  });

  it('GET /workspace: the workspace, its zone and the key’s permissions, for any valid key', async () => {
    const key = await h.keyWith(['users.track']);
    const answer = await h.app.inject({ url: '/workspace', headers: bearer(key) });
    assert.equal(answer.statusCode, 200);
    assert.deepEqual(answer.json(), {
      message: 'success',
      workspace: { name: 'acme', time_zone: 'Europe/Berlin' },
      key: { permissions: ['users.track'] },
    });
    const anonymous = await h.app.inject({ url: '/workspace' });
    assert.equal(anonymous.statusCode, 401);
  });

  it('GET /sends/list: the campaign’s sends, with sends.data_series', async () => {
    await h.store.defineCampaign(h.workspace.id, {
      campaign_id: 'alerts',
      name: 'Alerts',
      is_api_campaign: true,
      channels: ['email'],
    });
    await h.store.createSend(h.workspace.id, 'alerts', 'first', 0);
    const answer = await h.app.inject({
      url: '/sends/list?campaign_id=alerts',
      headers: bearer(h.key),
    });
    assert.equal(answer.statusCode, 200);
    assert.deepEqual(answer.json(), {
      message: 'success',
      sends: [{ send_id: 'first', first_receipt: null }],
    });
    const unknown = await h.app.inject({
      url: '/sends/list?campaign_id=nope',
      headers: bearer(h.key),
    });
    assert.equal(unknown.statusCode, 400);
    assert.match(unknown.json().message, /campaign_id "nope"/);
    const forbidden = await h.app.inject({
      url: '/sends/list?campaign_id=alerts',
      headers: bearer(await h.keyWith(['campaigns.list'])),
    });
    assert.equal(forbidden.statusCode, 403);
  });
});
