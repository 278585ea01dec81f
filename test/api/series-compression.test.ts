/**
 * The series answers go out gzip-compressed to clients that accept it (docs/api.md): the same
 * bytes once decompressed, never stale, and nothing changes for other clients, small answers,
 * errors or other endpoints.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { event } from '../support/events.js';
import { bearer, startHarness, type Harness } from './harness.js';

const CAMPAIGN = '/campaigns/data_series?campaign_id=c1&length=30&ending_at=2026-01-10';
const SEND = '/sends/data_series?campaign_id=c1&send_id=s1&length=14&ending_at=2026-01-10';
const SERIES = [
  ['campaign JSON', CAMPAIGN],
  ['campaign CSV', `${CAMPAIGN}&format=csv`],
  ['send JSON', SEND],
  ['send CSV', `${SEND}&format=csv`],
] as const;

describe('compressed series answers', () => {
  let h: Harness;
  const get = (url: string, acceptEncoding?: string) =>
    h.app.inject({
      url,
      headers: {
        ...bearer(h.key),
        ...(acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding }),
      },
    });
  const sentOnJan5 = (body: string): number => {
    const answer = JSON.parse(body) as {
      data: { time: string; messages: { email: { sent: number }[] } }[];
    };
    return answer.data.find((day) => day.time === '2026-01-05')!.messages.email[0]!.sent;
  };

  before(async () => {
    h = await startHarness();
    await h.store.defineCampaign(h.workspace.id, {
      campaign_id: 'c1',
      channels: ['email', 'ios_push'],
      variations: [
        { id: 'v1', name: 'Variant 1' },
        { id: 'v2', name: 'Variant 2' },
        { id: 'cg', name: 'Control', control: true },
      ],
    });
    await h.store.ingest(h.workspace.id, [
      event('email.Send', { id: 'a', at: '2026-01-05T10:00:00Z', send_id: 's1' }),
      event('email.Open', { id: 'b', at: '2026-01-06T10:00:00Z', send_id: 's1' }),
      event('sms.Send', { id: 'c', at: '2026-01-05T12:00:00Z', campaign: 'small' }),
    ]);
  });
  after(() => h.close());

  for (const [name, url] of SERIES) {
    it(`sends the ${name} answer gzip-compressed to a client that accepts gzip`, async () => {
      const plain = await get(url);
      const gzipped = await get(url, 'gzip, deflate, br');
      assert.equal(gzipped.statusCode, 200);
      assert.equal(gzipped.headers['content-encoding'], 'gzip');
      assert.equal(gzipped.headers['vary'], 'Accept-Encoding');
      assert.equal(gzipped.headers['content-type'], plain.headers['content-type']);
      assert.equal(Number(gzipped.headers['content-length']), gzipped.rawPayload.length);
      assert.deepEqual(gunzipSync(gzipped.rawPayload), plain.rawPayload);
      assert.ok(
        gzipped.rawPayload.length * 4 < plain.rawPayload.length,
        `${gzipped.rawPayload.length} bytes compressed, ${plain.rawPayload.length} plain`,
      );
    });
  }

  it('sends the answer uncompressed, with Vary, to a client that does not prefer gzip', async () => {
    for (const [name, url] of SERIES) {
      const reference = await get(url, 'identity');
      assert.equal(reference.statusCode, 200);
      for (const acceptEncoding of [undefined, 'identity', 'gzip;q=0', 'br', 'gzip;q=0.5, *']) {
        const answer = await get(url, acceptEncoding);
        const context = `${name}, Accept-Encoding ${acceptEncoding}`;
        assert.equal(answer.headers['content-encoding'], undefined, context);
        assert.equal(answer.headers['vary'], 'Accept-Encoding', context);
        assert.equal(answer.body, reference.body, context);
        assert.equal(Number(answer.headers['content-length']), answer.rawPayload.length, context);
      }
    }
  });

  it('never sends a stale compressed answer once new events are stored', async () => {
    const earlier = await get(CAMPAIGN, 'gzip');
    assert.equal(sentOnJan5(gunzipSync(earlier.rawPayload).toString()), 1);
    await h.store.ingest(h.workspace.id, [
      event('email.Send', { id: 'a2', at: '2026-01-05T11:00:00Z', user: 'u2' }),
    ]);
    const later = await get(CAMPAIGN, 'gzip');
    assert.equal(later.headers['content-encoding'], 'gzip');
    const body = gunzipSync(later.rawPayload).toString();
    assert.equal(sentOnJan5(body), 2);
    assert.equal(body, (await get(CAMPAIGN)).body);
  });

  it('sends an answer under 1 KB uncompressed, with Vary', async () => {
    const url = '/campaigns/data_series?campaign_id=small&length=1&ending_at=2026-01-06';
    const plain = await get(url);
    assert.ok(plain.body.length < 1024, `the answer is ${plain.body.length} characters`);
    const answer = await get(url, 'gzip');
    assert.equal(answer.statusCode, 200);
    assert.equal(answer.headers['content-encoding'], undefined);
    assert.equal(answer.headers['vary'], 'Accept-Encoding');
    assert.equal(answer.body, plain.body);
  });

  it('leaves error answers and other endpoints as they were', async () => {
    const error = await get('/campaigns/data_series?campaign_id=c1&length=101', 'gzip');
    assert.equal(error.statusCode, 400);
    assert.equal(error.headers['content-encoding'], undefined);
    assert.equal(error.headers['vary'], undefined);
    assert.deepEqual(error.json(), { message: 'length must be an integer from 1 to 100' });

    const list = await get('/campaigns/list', 'gzip');
    assert.equal(list.statusCode, 200);
    assert.equal(list.headers['content-encoding'], undefined);
    assert.equal(list.json().message, 'success');
  });
});
