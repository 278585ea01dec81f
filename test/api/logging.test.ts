/** Request logs: one line per request with the useful fields, and never an API key. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { redactUrl } from '../../src/api/logging.js';
import { bearer, startHarness, type Harness } from './harness.js';

describe('redactUrl', () => {
  it('removes every api_key parameter and keeps the rest', () => {
    assert.equal(redactUrl('/a?api_key=k&length=1'), '/a?length=1');
    assert.equal(redactUrl('/a?length=1&api_key=k&api%5Fkey=k2&x=2'), '/a?length=1&x=2');
    assert.equal(redactUrl('/a?api_key=k'), '/a');
    assert.equal(redactUrl('/a'), '/a');
  });

  it('removes every spelling of it: any case, encoded, array and object forms', () => {
    for (const name of [
      'api_key',
      'API_KEY',
      'Api_Key',
      'api_key[]',
      'api_key%5B%5D',
      'API_KEY[0]',
      'api_key[a][b]',
      'api%5Fkey',
      '%61pi_key',
      'api_key%20',
    ]) {
      assert.equal(redactUrl(`/a?x=1&${name}=secret&y=2`), '/a?x=1&y=2', name);
    }
    // Other parameters that only contain the name are kept.
    assert.equal(redactUrl('/a?my_api_key=1&api_keys=2'), '/a?my_api_key=1&api_keys=2');
  });
});

describe('request logs', () => {
  let h: Harness;
  const lines: Record<string, unknown>[] = [];
  let raw = '';
  before(async () => {
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        raw += chunk.toString();
        for (const line of chunk.toString().split('\n').filter(Boolean))
          lines.push(JSON.parse(line));
        done();
      },
    });
    h = await startHarness({ logger: pino({ level: 'info' }, stream) });
  });
  after(() => h.close());

  it('log method, key-free url, status, duration and workspace, and never the key', async () => {
    const secret = 'tly_unknownKeyThatMustNotBeLogged';
    await h.app.inject({
      url: '/campaigns/data_series?campaign_id=c1&length=1',
      headers: bearer(h.key),
    });
    await h.app.inject({ url: `/campaigns/data_series?campaign_id=c1&api_key=${h.key}&length=1` });
    await h.app.inject({ url: `/campaigns/data_series?api_key=${secret}&length=1` });
    await h.app.inject({ url: '/nowhere', headers: { authorization: `Bearer ${secret}` } });
    for (const spelling of ['api_key[]', 'API_KEY', 'Api_Key[0]', 'api%5Fkey']) {
      await h.app.inject({ url: `/campaigns/list?${spelling}=${h.key}&page=0` });
    }

    const requests = lines.filter((line) => line.msg === 'request');
    assert.equal(requests.length, 8);
    for (const line of requests.slice(4)) assert.equal(line.url, '/campaigns/list?page=0');
    assert.deepEqual(
      requests
        .slice(0, 4)
        .map(({ method, url, status, workspace }) => ({ method, url, status, workspace })),
      [
        {
          method: 'GET',
          url: '/campaigns/data_series?campaign_id=c1&length=1',
          status: 400,
          workspace: h.workspace.id,
        },
        {
          method: 'GET',
          url: '/campaigns/data_series?campaign_id=c1&length=1',
          status: 400,
          workspace: h.workspace.id,
        },
        { method: 'GET', url: '/campaigns/data_series?length=1', status: 401, workspace: null },
        { method: 'GET', url: '/nowhere', status: 404, workspace: null },
      ],
    );
    for (const line of requests) assert.equal(typeof line.durationMs, 'number');
    assert.ok(!raw.includes(h.key), 'a valid key was logged');
    assert.ok(!raw.includes(secret), 'an unknown key was logged');
  });

  it('log an internal error with its cause, without the key', async () => {
    const before = lines.length;
    await h.store.close();
    const response = await h.app.inject({
      url: `/campaigns/data_series?campaign_id=c1&length=1&api_key=${h.key}`,
    });
    assert.equal(response.statusCode, 500);
    const logged = lines.slice(before);
    assert.ok(logged.some((line) => line.level === 50 && line.err !== undefined));
    assert.ok(!raw.includes(h.key));
  });
});
