import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseEventsBody, type BodyItem } from '../../src/ingest/body.js';
import { buildIngestAnswer, prepareBatch, type PreparedBatch } from '../../src/ingest/batch.js';
import type { IngestOutcome } from '../../src/store/store.js';

const T = 1_767_225_600;

function send(id: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    event_type: 'users.messages.email.Send',
    time: T,
    external_user_id: 'u1',
    campaign_id: 'c1',
    message_variation_id: 'v1',
    ...extra,
  };
}

function itemsOf(body: string, contentType = 'application/x-ndjson'): BodyItem[] {
  const parsed = parseEventsBody(body, contentType);
  if (!parsed.ok) assert.fail(parsed.message);
  return parsed.items;
}

const lines = (...values: unknown[]) =>
  values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join('\n');

/** Total of the answer's counters: must equal the number of events in the request. */
function counted(body: ReturnType<typeof buildIngestAnswer>['body'], prepared: PreparedBatch) {
  return body.accepted + body.duplicates + body.ignored + body.conflicts + prepared.errors.length;
}

describe('prepareBatch', () => {
  const prepared = prepareBatch(
    itemsOf(
      lines(
        send('a'),
        send('b', { time: 'yesterday' }),
        '{"id": broken',
        send('c'),
        { event_type: 'users.messages.email.Send' },
        { id: { string: 'd' }, event_type: 'users.messages.email.Send', time: T },
        42,
      ),
    ),
  );

  it('keeps the valid events in request order with their request positions', () => {
    assert.deepEqual(
      prepared.events.map((e) => e.id),
      ['a', 'c'],
    );
    assert.deepEqual(prepared.positions, [0, 3]);
  });

  it('reports every other item at its request index, with its id when it had one', () => {
    assert.deepEqual(prepared.errors, [
      { index: 1, id: 'b', message: 'time must be a number' },
      { index: 2, message: prepared.errors[1]!.message },
      { index: 4, message: 'id is required: a string of 1 to 128 characters' },
      { index: 5, id: 'd', message: 'a user key is required: external_user_id or user_id' },
      { index: 6, message: 'an event must be a JSON object' },
    ]);
    assert.match(prepared.errors[1]!.message, /^line 3 is not valid JSON/);
  });
});

describe('buildIngestAnswer', () => {
  const prepared = prepareBatch(
    itemsOf(
      lines(
        send('a'),
        send('bad', { campaign_id: 1 }),
        send('b'),
        send('c', { event_type: 'users.canvas.Entry' }),
        send('a', { campaign_name: 'changed' }),
      ),
    ),
  );

  it('answers success with the store counters and maps conflicts back to request indices', () => {
    // The store saw [a, b, c, a'] and found a' (position 3) conflicting with a.
    const outcome: IngestOutcome = {
      accepted: 2,
      duplicates: 0,
      duplicatePositions: [],
      ignored: 1,
      conflicts: [3],
    };
    const answer = buildIngestAnswer(outcome, prepared);
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, {
      message: 'success',
      accepted: 2,
      duplicates: 0,
      ignored: 1,
      conflicts: 1,
      errors: [
        { index: 1, id: 'bad', message: 'campaign_id must be a string' },
        {
          index: 4,
          id: 'a',
          message: 'id "a" was already ingested with different content; this copy was not applied',
        },
      ],
    });
    assert.equal(counted(answer.body, prepared), 5);
  });

  it('lists conflicts among the other errors in request order', () => {
    const answer = buildIngestAnswer(
      { accepted: 1, duplicates: 0, duplicatePositions: [], ignored: 1, conflicts: [0, 3] },
      prepared,
    );
    assert.deepEqual(
      answer.body.errors.map((e) => e.index),
      [0, 1, 4],
    );
    assert.equal(counted(answer.body, prepared), 5);
  });

  it('is a success when every valid event was a duplicate', () => {
    const answer = buildIngestAnswer(
      { accepted: 0, duplicates: 4, duplicatePositions: [0, 1, 2, 3], ignored: 0, conflicts: [] },
      prepared,
    );
    assert.equal(answer.status, 200);
    assert.equal(answer.body.message, 'success');
    assert.equal(answer.body.errors.length, 1);
  });

  it('answers 400 with a summary when no event was valid', () => {
    const invalid = prepareBatch(itemsOf(lines(send('x', { time: -1 }), 'nope', send(''))));
    const answer = buildIngestAnswer(
      { accepted: 0, duplicates: 0, duplicatePositions: [], ignored: 0, conflicts: [] },
      invalid,
    );
    assert.equal(answer.status, 400);
    assert.equal(answer.body.message, 'no valid events: 3 rejected');
    assert.deepEqual(
      answer.body.errors.map((e) => [e.index, e.id]),
      [
        [0, 'x'],
        [1, undefined],
        [2, undefined],
      ],
    );
    assert.equal(counted(answer.body, invalid), 3);
  });
});
