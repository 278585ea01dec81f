/**
 * Requests refused before Tally's routes, sent as raw bytes to a listening server: each answer
 * is JSON with a string `message` (SPEC §6), and a HEAD answer never carries a body.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { bearer, startHarness, type Harness } from './harness.js';

interface RawAnswer {
  readonly status: number;
  readonly headers: string;
  readonly body: string;
}

/** Sends `text` and reads until the server closes the connection (every case asks it to). */
function rawRequest(port: number, text: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => {
      const split = received.indexOf('\r\n\r\n');
      const headers = received.slice(0, split);
      let body = received.slice(split + 4);
      if (/transfer-encoding: chunked/i.test(headers)) {
        body = body.replace(/^[0-9a-f]+\r\n/i, '').replace(/\r\n0\r\n\r\n$/, '');
        if (/^0\r\n/.test(body)) body = '';
      }
      resolve({ status: Number(headers.split(' ')[1]), headers, body });
    });
    socket.end(text);
  });
}

function assertJsonMessage(answer: RawAnswer, status: number): void {
  assert.equal(answer.status, status, answer.headers);
  assert.match(answer.headers, /content-type: application\/json/i);
  assert.equal(typeof (JSON.parse(answer.body) as { message: unknown }).message, 'string');
}

describe('requests refused before the routes', () => {
  let h: Harness;
  let port: number;
  before(async () => {
    h = await startHarness();
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    port = (h.app.server.address() as { port: number }).port;
  });
  after(() => h.close());

  it('no Host header (HTTP/1.1): 400 JSON', async () => {
    const answer = await rawRequest(
      port,
      'GET /campaigns/list HTTP/1.1\r\nConnection: close\r\n\r\n',
    );
    assertJsonMessage(answer, 400);
    assert.match(answer.body, /Host header is required/);
  });

  it('an Expect the server cannot meet: 417 JSON', async () => {
    const answer = await rawRequest(
      port,
      'POST /events HTTP/1.1\r\nHost: t\r\nExpect: 200-ok\r\nContent-Length: 2\r\n\r\n[]',
    );
    assertJsonMessage(answer, 417);
  });

  it('a malformed percent-encoding in the path: 400 JSON', async () => {
    const answer = await rawRequest(
      port,
      'GET /campaigns/%E0%A4%A HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n',
    );
    assertJsonMessage(answer, 400);
  });

  it('oversized headers: 431 JSON', async () => {
    const big = 'a'.repeat(20_000);
    const answer = await rawRequest(
      port,
      `GET /campaigns/list HTTP/1.1\r\nHost: t\r\nX-Big: ${big}\r\n\r\n`,
    );
    assertJsonMessage(answer, 431);
  });

  it('bytes that are not HTTP: 400 JSON', async () => {
    assertJsonMessage(await rawRequest(port, 'HELLO\r\n\r\n'), 400);
  });

  it('HEAD answers never carry a body', async () => {
    const close = 'Host: t\r\nConnection: close\r\n';
    for (const path of ['/campaigns/list', '/nowhere', '/events']) {
      const answer = await rawRequest(port, `HEAD ${path} HTTP/1.1\r\n${close}\r\n`);
      assert.ok(answer.status >= 400, `${path}: ${answer.status}`);
      assert.equal(answer.body, '', path);
    }
  });
});

describe('/users/track: one bad object never fails the request', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it('refuses an object nested deeper than 64 levels alone, and counts the others', async () => {
    const deep = `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`;
    const good = '{"external_id":"u1","name":"signup","time":"2026-01-05T10:00:00Z"}';
    const bad = `{"external_id":"u1","name":"x","time":"2026-01-05T10:00:00Z","properties":${deep}}`;
    const response = await h.app.inject({
      method: 'POST',
      url: '/users/track',
      headers: { ...bearer(h.key), 'content-type': 'application/json' },
      payload: `{"events":[${bad},${good}],"attributes":[{"external_id":"u2","x":${deep}}]}`,
    });
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json();
    assert.equal(body.events_processed, 1);
    assert.equal(body.attributes_processed, 0);
    assert.deepEqual(
      body.errors.map((e: { type: string }) => e.type),
      [
        'attributes[0] is nested deeper than 64 levels of objects and arrays',
        'events[0] is nested deeper than 64 levels of objects and arrays',
      ],
    );
  });
});
