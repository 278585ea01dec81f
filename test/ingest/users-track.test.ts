/**
 * `POST /users/track` bodies (SPEC §7): what becomes a behavior, what is refused and why, the
 * idempotence ids, and the answer. Expectations are written out by hand.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Behavior } from '../../src/domain/behaviors.js';
import {
  buildTrackAnswer,
  parseUsersTrack,
  type TrackRequest,
} from '../../src/ingest/users-track.js';

function parsed(body: unknown): TrackRequest {
  const result = parseUsersTrack(body);
  if (!result.ok) assert.fail(`expected a parsed body, got: ${result.message}`);
  return result.request;
}

function refused(body: unknown): string {
  const result = parseUsersTrack(body);
  if (result.ok) assert.fail('expected the request to be refused');
  return result.message;
}

/** The behaviors without their ids, which are checked on their own. */
const withoutIds = (behaviors: readonly Behavior[]): Omit<Behavior, 'id'>[] =>
  behaviors.map(({ id: _id, ...rest }) => rest);

const PURCHASE = {
  external_id: 'u1',
  product_id: 'backpack',
  currency: 'USD',
  price: 40,
  time: '2013-07-16T19:20:30+01:00',
};
const EVENT = { external_id: 'u1', name: 'signup', time: '2013-07-16T18:20:30Z' };
const INSTANT = Date.UTC(2013, 6, 16, 18, 20, 30);

describe('parseUsersTrack: behaviors', () => {
  it('turns events and purchases into behaviors, quantity 1 by default', () => {
    const request = parsed({
      events: [{ ...EVENT, app_id: 'a1', properties: { plan: 'pro' } }],
      purchases: [PURCHASE, { ...PURCHASE, price: 2.5, quantity: 3, currency: 'eur' }],
    });
    assert.deepEqual(withoutIds(request.behaviors), [
      {
        userKey: 'u1',
        instantMs: INSTANT,
        kind: 'custom_event',
        eventName: 'signup',
        appId: 'a1',
        properties: { plan: 'pro' },
      },
      {
        userKey: 'u1',
        instantMs: INSTANT,
        kind: 'purchase',
        productId: 'backpack',
        price: 40,
        quantity: 1,
        currency: 'USD',
      },
      {
        userKey: 'u1',
        instantMs: INSTANT,
        kind: 'purchase',
        productId: 'backpack',
        price: 2.5,
        quantity: 3,
        currency: 'EUR',
      },
    ]);
    assert.equal(request.eventsProcessed, 1);
    assert.equal(request.purchasesProcessed, 2);
    assert.deepEqual(request.errors, []);
  });

  it('takes the user from external_id, else braze_id, else user_alias', () => {
    const users = parsed({
      events: [
        { ...EVENT, braze_id: 'b1' },
        { ...EVENT, external_id: undefined, braze_id: 'b1' },
        {
          ...EVENT,
          external_id: undefined,
          user_alias: { alias_name: 'dev', alias_label: 'phone' },
        },
      ],
    }).behaviors.map((b) => b.userKey);
    assert.deepEqual(users, ['u1', 'b1', 'alias:dev:phone']);
  });

  it('reads time as ISO 8601 in any offset, Braze’s :SSS form, or epoch seconds', () => {
    const times = [
      '2013-07-16T18:20:30Z',
      '2013-07-16T20:20:30+02:00',
      '2013-07-16T13:50:30-0430',
      '2013-07-16T18:20:30',
      '2013-07-16T18:20:30.250Z',
      '2013-07-16T19:20:30:250+0100',
      '2013-07-16T18:20Z',
      1_373_998_830,
      1_373_998_830.5,
    ];
    const instants = parsed({ events: times.map((time) => ({ ...EVENT, time })) }).behaviors.map(
      (b) => b.instantMs,
    );
    assert.deepEqual(instants, [
      INSTANT,
      INSTANT,
      INSTANT,
      INSTANT,
      INSTANT + 250,
      INSTANT + 250,
      INSTANT - 30_000,
      INSTANT,
      INSTANT + 500,
    ]);
  });
});

describe('parseUsersTrack: per-object errors', () => {
  it('refuses each bad object, naming the array, index and field, and keeps the rest', () => {
    const request = parsed({
      attributes: [{ external_id: 'u1', first_name: 'Ann' }, { first_name: 'Bob' }, 'x'],
      events: [
        { ...EVENT, name: '' },
        { ...EVENT, time: '2013-02-30T10:00:00Z' },
        { ...EVENT, time: '16/07/2013' },
        { ...EVENT, time: 1_373_998_830_000 },
        { ...EVENT, email: 'a@b.c', external_id: undefined },
        EVENT,
      ],
      purchases: [
        { ...PURCHASE, price: 'free' },
        { ...PURCHASE, quantity: 0 },
        { ...PURCHASE, id: '' },
        PURCHASE,
      ],
    });
    assert.deepEqual(
      request.errors.map((e) => [e.input_array, e.index, e.type.split(/ |:/)[0]]),
      [
        ['attributes', 1, 'attributes[1]'],
        ['attributes', 2, 'attributes[2]'],
        ['events', 0, 'events[0].name'],
        ['events', 1, 'events[1].time'],
        ['events', 2, 'events[2].time'],
        ['events', 3, 'events[3].time'],
        ['events', 4, 'events[4]'],
        ['purchases', 0, 'purchases[0].price'],
        ['purchases', 1, 'purchases[1].quantity'],
        ['purchases', 2, 'purchases[2].id'],
      ],
    );
    assert.match(request.errors[0]!.type, /^attributes\[1\] needs a user: external_id/);
    assert.equal(request.errors[1]!.type, 'attributes[2] must be an object');
    assert.equal(request.attributesProcessed, 1);
    assert.equal(request.eventsProcessed, 1);
    assert.equal(request.purchasesProcessed, 1);
  });

  it('refuses the whole request when it is not an object or an array is too long', () => {
    assert.match(refused([]), /JSON object/);
    assert.equal(refused({ events: {} }), 'events must be an array');
    const many = Array.from({ length: 76 }, () => EVENT);
    assert.equal(refused({ events: many }), 'events has 76 objects; at most 75 per request');
    assert.equal(parsed({ events: many.slice(0, 75) }).eventsProcessed, 75);
  });
});

describe('parseUsersTrack: ids for idempotence', () => {
  const idOf = (object: Record<string, unknown>, array = 'purchases'): string =>
    parsed({ [array]: [object] }).behaviors[0]!.id;

  it('uses the object’s own id when it has one', () => {
    assert.equal(idOf({ ...PURCHASE, id: 'order-17' }), 'order-17');
  });

  it('gives a retry the same id, whatever the offset, key order or explicit quantity 1', () => {
    const first = idOf(PURCHASE);
    assert.match(first, /^track:[0-9a-f]{40}$/);
    const reordered = {
      time: '2013-07-16T18:20:30Z',
      price: 40,
      quantity: 1,
      currency: 'USD',
      product_id: 'backpack',
      external_id: 'u1',
    };
    assert.equal(idOf(reordered), first);
  });

  it('gives a different id to anything that says something else happened', () => {
    const first = idOf(PURCHASE);
    const others = [
      { ...PURCHASE, external_id: 'u2' },
      { ...PURCHASE, product_id: 'tent' },
      { ...PURCHASE, time: '2013-07-16T19:20:31+01:00' },
      { ...PURCHASE, price: 41 },
      { ...PURCHASE, currency: 'EUR' },
      { ...PURCHASE, quantity: 2 },
      { ...PURCHASE, app_id: 'a1' },
      { ...PURCHASE, properties: { color: 'red' } },
    ].map((object) => idOf(object));
    assert.equal(new Set([first, ...others]).size, 9);
    const event = idOf(EVENT, 'events');
    assert.notEqual(idOf({ ...EVENT, name: 'login' }, 'events'), event);
    assert.notEqual(idOf({ ...EVENT, properties: { a: 1 } }, 'events'), event);
    assert.equal(
      idOf({ ...EVENT, properties: { b: 2, a: 1 } }, 'events'),
      idOf({ ...EVENT, properties: { a: 1, b: 2 } }, 'events'),
    );
  });
});

describe('buildTrackAnswer', () => {
  it('answers success with the counts, and errors only when some object was refused', () => {
    assert.deepEqual(buildTrackAnswer(parsed({ attributes: [{ external_id: 'u1' }] })), {
      status: 200,
      body: {
        message: 'success',
        attributes_processed: 1,
        events_processed: 0,
        purchases_processed: 0,
      },
    });
    const answer = buildTrackAnswer(parsed({ events: [EVENT, { name: 'x' }] }));
    assert.equal(answer.status, 200);
    assert.equal(answer.body.events_processed, 1);
    assert.equal(answer.body.errors?.length, 1);
  });

  it('answers 400 when nothing was valid', () => {
    const answer = buildTrackAnswer(parsed({ purchases: [{ product_id: 'x' }] }));
    assert.equal(answer.status, 400);
    assert.equal(answer.body.message, 'no valid objects: 1 refused');
    assert.equal(answer.body.errors?.[0]?.input_array, 'purchases');
    assert.deepEqual(buildTrackAnswer(parsed({})), {
      status: 400,
      body: {
        message: 'nothing to track: send attributes, events or purchases',
        attributes_processed: 0,
        events_processed: 0,
        purchases_processed: 0,
      },
    });
  });
});
