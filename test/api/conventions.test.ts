/** SPEC §6 REST conventions: JSON errors everywhere, tolerant GETs, body limits, hidden internals. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, startHarness, type Harness } from './harness.js';

const SERIES = '/campaigns/data_series?campaign_id=c1&length=2&ending_at=2026-01-02';

describe('REST conventions', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    await h.store.defineCampaign(h.workspace.id, { campaign_id: 'c1', channels: ['email'] });
  });
  after(() => h.close());

  it('answers an unknown path with a JSON 404 that does not repeat the query string', async () => {
    const response = await h.app.inject({ url: `/campaigns/nope?api_key=${h.key}` });
    assert.equal(response.statusCode, 404);
    assert.match(response.headers['content-type'] as string, /^application\/json/);
    assert.deepEqual(response.json(), { message: 'no such endpoint: GET /campaigns/nope' });
  });

  it('answers a known path with the wrong method with a JSON 404', async () => {
    const response = await h.app.inject({
      method: 'DELETE',
      url: '/events',
      headers: bearer(h.key),
    });
    assert.equal(response.statusCode, 404);
    assert.equal(typeof response.json().message, 'string');
  });

  it('serves a GET with a trailing "?" and a GET with Content-Type: application/json and no body', async () => {
    const trailing = await h.app.inject({ url: '/campaigns/data_series?', headers: bearer(h.key) });
    // Reached the route: the parameters are what's missing, not the path.
    assert.equal(trailing.statusCode, 400);
    assert.match(trailing.json().message, /^campaign_id is required/);
    const withType = await h.app.inject({
      url: SERIES,
      headers: { ...bearer(h.key), 'content-type': 'application/json' },
    });
    assert.equal(withType.statusCode, 200);
    assert.equal(withType.json().data.length, 2);
    const both = await h.app.inject({
      url: `${SERIES}&`,
      headers: { ...bearer(h.key), 'content-type': 'application/json', 'content-length': '0' },
    });
    assert.equal(both.statusCode, 200);
  });

  it('names the parameter in schema errors', async () => {
    const cases: [string, string][] = [
      ['campaign_id=c1', 'length is required: an integer from 1 to 100'],
      ['campaign_id=c1&length=0', 'length must be an integer from 1 to 100'],
      ['campaign_id=c1&length=101', 'length must be an integer from 1 to 100'],
      ['campaign_id=c1&length=ten', 'length must be an integer from 1 to 100'],
      ['campaign_id=c1&length=2.5', 'length must be an integer from 1 to 100'],
      ['length=2', 'campaign_id is required: a non-empty string'],
      ['campaign_id=&length=2', 'campaign_id must be a non-empty string'],
    ];
    for (const [query, message] of cases) {
      const response = await h.app.inject({
        url: `/campaigns/data_series?${query}`,
        headers: bearer(h.key),
      });
      assert.equal(response.statusCode, 400, query);
      assert.deepEqual(response.json(), { message }, query);
    }
  });

  it('answers malformed JSON, an empty JSON body and an unsupported type with JSON 400/415', async () => {
    const post = (payload: string, contentType: string) =>
      h.app.inject({
        method: 'POST',
        url: '/campaigns/define',
        headers: { ...bearer(h.key), 'content-type': contentType },
        payload,
      });
    const malformed = await post('{"campaign_id": ', 'application/json');
    assert.equal(malformed.statusCode, 400);
    assert.match(malformed.json().message, /^the body is not valid JSON/);
    const empty = await post('', 'application/json');
    assert.equal(empty.statusCode, 400);
    assert.match(empty.json().message, /body is empty/);
    const xml = await post('<campaign/>', 'application/xml');
    assert.equal(xml.statusCode, 415);
    assert.deepEqual(xml.json(), {
      message: 'unsupported Content-Type "application/xml": send application/json',
    });
  });

  it('answers 413 for a body over 10 MB before reading it all', async () => {
    const big = JSON.stringify([{ id: 'x', pad: 'a'.repeat(10 * 1024 * 1024) }]);
    const response = await h.app.inject({
      method: 'POST',
      url: '/events',
      headers: { ...bearer(h.key), 'content-type': 'application/json' },
      payload: big,
    });
    assert.equal(response.statusCode, 413);
    assert.deepEqual(response.json(), {
      message: 'the body is larger than the limit of 10485760 bytes',
    });
  });
});

describe('internal errors', () => {
  it('answer 500 with a message that reveals nothing of the cause', async () => {
    const h = await startHarness();
    // A real failure: the store's database is closed under the running app.
    await h.store.close();
    const response = await h.app.inject({ url: SERIES, headers: bearer(h.key) });
    assert.equal(response.statusCode, 500);
    assert.deepEqual(response.json(), {
      message: 'internal error; the details are in the server log',
    });
    await h.close();
  });
});
