import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_EVENTS_PER_REQUEST,
  parseEventsBody,
  type BodyItem,
  type ParsedBody,
} from '../../src/ingest/body.js';

const JSON_TYPE = 'application/json';
const NDJSON = 'application/x-ndjson';

function items(parsed: ParsedBody): BodyItem[] {
  if (!parsed.ok) assert.fail(`expected items, got ${parsed.status}: ${parsed.message}`);
  return parsed.items;
}

function refused(parsed: ParsedBody): { status: number; message: string } {
  if (parsed.ok) assert.fail(`expected a refusal, got ${parsed.items.length} items`);
  return { status: parsed.status, message: parsed.message };
}

const events = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `e${i}` }));

describe('parseEventsBody', () => {
  it('reads a JSON array', () => {
    assert.deepEqual(items(parseEventsBody('[{"id":"a"},{"id":"b"}]', JSON_TYPE)), [
      { index: 0, value: { id: 'a' } },
      { index: 1, value: { id: 'b' } },
    ]);
  });

  it('reads {"events": [...]}', () => {
    assert.deepEqual(items(parseEventsBody('{"events":[{"id":"a"},7]}', JSON_TYPE)), [
      { index: 0, value: { id: 'a' } },
      { index: 1, value: 7 },
    ]);
  });

  it('reads JSON when there is no content type', () => {
    assert.deepEqual(items(parseEventsBody('[{"id":"a"}]', undefined)), [
      { index: 0, value: { id: 'a' } },
    ]);
  });

  it('reads NDJSON, skipping blank lines and CRLF line ends', () => {
    const body = '{"id":"a"}\r\n\n   \n{"id":"b"}\n\t\n{"id":"c"}\n';
    assert.deepEqual(items(parseEventsBody(body, NDJSON)), [
      { index: 0, value: { id: 'a' } },
      { index: 1, value: { id: 'b' } },
      { index: 2, value: { id: 'c' } },
    ]);
  });

  it('recognises NDJSON with parameters, any case, and application/ndjson', () => {
    for (const type of [
      'application/x-ndjson; charset=utf-8',
      'Application/X-NDJSON',
      'application/ndjson',
    ]) {
      assert.equal(items(parseEventsBody('{"id":"a"}\n{"id":"b"}', type)).length, 2, type);
    }
  });

  it('keeps the other NDJSON lines when one is malformed, naming its line', () => {
    const body = '{"id":"a"}\n\n{"id":\n{"id":"c"}';
    const result = items(parseEventsBody(body, NDJSON));
    assert.equal(result.length, 3);
    assert.deepEqual(result[0], { index: 0, value: { id: 'a' } });
    const bad = result[1]!;
    assert.equal(bad.index, 1);
    assert.ok('error' in bad);
    assert.match(bad.error, /^line 3 is not valid JSON: \S/);
    assert.deepEqual(result[2], { index: 2, value: { id: 'c' } });
  });

  it('keeps an NDJSON line that is JSON but not an object, for the validator to refuse', () => {
    assert.deepEqual(items(parseEventsBody('[1]\n"x"', NDJSON)), [
      { index: 0, value: [1] },
      { index: 1, value: 'x' },
    ]);
  });

  it('refuses malformed JSON with the parser message', () => {
    const { status, message } = refused(parseEventsBody('[{"id":"a"},,]', JSON_TYPE));
    assert.equal(status, 400);
    assert.match(message, /^body is not valid JSON: \S/);
    assert.doesNotMatch(message, /x-ndjson/);
  });

  it('suggests NDJSON when one object per line was sent as JSON', () => {
    const { status, message } = refused(parseEventsBody('{"id":"a"}\n{"id":"b"}\n', JSON_TYPE));
    assert.equal(status, 400);
    assert.match(message, /^body is not valid JSON: .*Content-Type: application\/x-ndjson\)$/);
  });

  it('refuses top-level shapes that hold no event list, saying what was found', () => {
    const cases: Array<[string, RegExp]> = [
      ['{"data":[]}', /^the object has no "events" array/],
      ['{"events":{"id":"a"}}', /^"events" must be an array \(got an object\)$/],
      ['{"events":"a"}', /^"events" must be an array \(got a string\)$/],
      [
        '{"id":"a","event_type":"users.messages.email.Send"}',
        /^a single event must be sent in an array/,
      ],
      ['"events"', /^the body is a string/],
      ['42', /^the body is a number/],
      ['null', /^the body is null/],
    ];
    for (const [body, expected] of cases) {
      const { status, message } = refused(parseEventsBody(body, JSON_TYPE));
      assert.equal(status, 400, body);
      assert.match(message, expected, body);
    }
  });

  it('refuses a body without events', () => {
    for (const [body, type] of [
      ['', JSON_TYPE],
      ['  \n', JSON_TYPE],
      ['', NDJSON],
      ['\n \r\n', NDJSON],
    ] as const) {
      const { status, message } = refused(parseEventsBody(body, type));
      assert.equal(status, 400);
      assert.match(message, /^no events in the body/);
    }
  });

  it('frames an empty batch as no items: how Braze checks the credentials (SPEC §2)', () => {
    for (const body of ['[]', '{"events":[]}', ' { "events" : [ ] } ']) {
      assert.deepEqual(parseEventsBody(body, JSON_TYPE), { ok: true, items: [] });
    }
  });

  describe(`at most ${MAX_EVENTS_PER_REQUEST} events`, () => {
    const ndjson = (n: number) =>
      events(n)
        .map((e) => JSON.stringify(e))
        .join('\n');
    const framings: Array<[string, (n: number) => string, string]> = [
      ['array', (n) => JSON.stringify(events(n)), JSON_TYPE],
      ['events object', (n) => JSON.stringify({ events: events(n) }), JSON_TYPE],
      ['NDJSON', ndjson, NDJSON],
    ];
    for (const [name, body, type] of framings) {
      it(`${name}: takes ${MAX_EVENTS_PER_REQUEST}, refuses ${MAX_EVENTS_PER_REQUEST + 1} with 413`, () => {
        const ok = items(parseEventsBody(body(MAX_EVENTS_PER_REQUEST), type));
        assert.equal(ok.length, MAX_EVENTS_PER_REQUEST);
        assert.deepEqual(ok.at(-1), { index: 9_999, value: { id: 'e9999' } });
        assert.deepEqual(refused(parseEventsBody(body(MAX_EVENTS_PER_REQUEST + 1), type)), {
          status: 413,
          message: 'at most 10000 events per request (got 10001)',
        });
      });
    }
    it('counts non-blank NDJSON lines only', () => {
      const body = `${ndjson(MAX_EVENTS_PER_REQUEST)}\n\n\n`;
      assert.equal(items(parseEventsBody(body, NDJSON)).length, MAX_EVENTS_PER_REQUEST);
    });
  });
});
