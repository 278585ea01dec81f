/** API keys and SPEC §6 authentication: 401 without a known key, 403 without the permission. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateApiKey, hashApiKey } from '../../src/api/keys.js';
import { PERMISSIONS, type Permission } from '../../src/domain/permissions.js';
import { bearer, startHarness, type Harness } from './harness.js';

/** One request per permission-protected route, each with a body/query that would succeed. */
const ROUTES: { permission: Permission; method: 'GET' | 'POST'; url: string; payload?: unknown }[] =
  [
    { permission: 'events.write', method: 'POST', url: '/events', payload: [] },
    {
      permission: 'campaigns.write',
      method: 'POST',
      url: '/campaigns/define',
      payload: { campaign_id: 'c1' },
    },
    {
      permission: 'campaigns.data_series',
      method: 'GET',
      url: '/campaigns/data_series?campaign_id=c1&length=1',
    },
    {
      permission: 'sends.data_series',
      method: 'GET',
      url: '/sends/data_series?campaign_id=c1&send_id=s1&length=1',
    },
  ];

describe('API keys', () => {
  it('generates distinct tly_ keys and hashes them with SHA-256', () => {
    const key = generateApiKey();
    assert.match(key, /^tly_[A-Za-z0-9_-]{43}$/);
    assert.notEqual(generateApiKey(), key);
    // The FIPS 180-2 test vector: SHA-256("abc").
    assert.equal(
      hashApiKey('abc'),
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    assert.notEqual(hashApiKey(key), hashApiKey(generateApiKey()));
  });
});

describe('authentication and permissions', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it('answers 401 without a key, on every protected route', async () => {
    for (const route of ROUTES) {
      const response = await h.app.inject({
        method: route.method,
        url: route.url,
        payload: route.payload as object,
      });
      assert.equal(response.statusCode, 401, route.url);
      assert.match(response.json().message, /missing API key/);
    }
  });

  it('answers 401 for an unknown key without echoing it (header or query)', async () => {
    const secret = 'tly_thisIsNotAKnownKeyButItMustNotBeEchoed';
    for (const request of [
      { url: ROUTES[2]!.url, headers: bearer(secret) },
      { url: `${ROUTES[2]!.url}&api_key=${secret}` },
    ]) {
      const response = await h.app.inject({ method: 'GET', ...request });
      assert.equal(response.statusCode, 401);
      assert.deepEqual(response.json(), { message: 'invalid API key' });
      assert.ok(!response.body.includes('thisIsNotAKnownKey'));
    }
  });

  it('answers 401 for an Authorization header that is not Bearer, without echoing it', async () => {
    const response = await h.app.inject({
      url: ROUTES[2]!.url,
      headers: { authorization: `Basic ${h.key}` },
    });
    assert.equal(response.statusCode, 401);
    assert.ok(!response.body.includes(h.key));
  });

  it('answers 403 "Access Denied" on each route for a key holding every other permission', async () => {
    for (const route of ROUTES) {
      const key = await h.keyWith(PERMISSIONS.filter((p) => p !== route.permission));
      const response = await h.app.inject({
        method: route.method,
        url: route.url,
        headers: bearer(key),
        payload: route.payload as object,
      });
      assert.equal(response.statusCode, 403, route.url);
      assert.deepEqual(response.json(), { message: 'Access Denied' });
    }
  });

  it('lets a key with only the route’s permission through', async () => {
    for (const route of ROUTES) {
      const key = await h.keyWith([route.permission]);
      const response = await h.app.inject({
        method: route.method,
        url: route.url,
        headers: bearer(key),
        payload: route.payload as object,
      });
      // Past auth: the route's own answer (400 for an empty batch or an unknown campaign, else 200).
      assert.ok([200, 400].includes(response.statusCode), `${route.url}: ${response.statusCode}`);
      assert.notEqual(response.json().message, 'Access Denied');
    }
  });

  it('accepts the deprecated api_key query parameter', async () => {
    const key = await h.keyWith(['campaigns.write']);
    const response = await h.app.inject({
      method: 'POST',
      url: `/campaigns/define?api_key=${encodeURIComponent(key)}`,
      payload: { campaign_id: 'by-query' },
    });
    assert.equal(response.statusCode, 200);
    assert.ok(await h.store.getCampaign(h.workspace.id, 'by-query'));
  });
});
