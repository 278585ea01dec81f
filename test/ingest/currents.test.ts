import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { countsSomewhere, type NormalizedEvent } from '../../src/domain/event.js';
import { contentHash } from '../../src/domain/hash.js';
import {
  EARLIEST_INSTANT_MS,
  LATEST_INSTANT_MS,
  normalizeEvent,
} from '../../src/ingest/currents.js';

const T = 1_767_225_600; // 2026-01-01T00:00:00Z

const BASE = {
  id: 'e1',
  event_type: 'users.messages.email.Send',
  time: T,
  external_user_id: 'u1',
  campaign_id: 'c1',
  message_variation_id: 'v1',
};

type Raw = Record<string, unknown>;

/** BASE with some fields replaced and some removed. */
function event(overrides: Raw = {}, ...omit: string[]): Raw {
  const raw: Raw = { ...BASE, ...overrides };
  for (const key of omit) delete raw[key];
  return raw;
}

function valid(raw: unknown): NormalizedEvent {
  const result = normalizeEvent(raw);
  if (!result.ok) assert.fail(`expected a valid event, got: ${result.reason}`);
  return result.event;
}

function rejected(raw: unknown): string {
  const result = normalizeEvent(raw);
  if (result.ok) assert.fail(`expected a rejection, got ${result.event.payload}`);
  return result.reason;
}

describe('normalizeEvent', () => {
  it('normalises a valid campaign event', () => {
    const e = valid(event({ campaign_name: 'Welcome', message_variation_name: 'A' }));
    assert.equal(e.id, 'e1');
    assert.equal(e.eventType, 'users.messages.email.Send');
    assert.equal(e.instantMs, T * 1000);
    assert.equal(e.userKey, 'u1');
    assert.deepEqual(e.campaign, {
      campaignId: 'c1',
      campaignName: 'Welcome',
      variationId: 'v1',
      variationName: 'A',
    });
    assert.equal(e.channel, 'email');
    assert.deepEqual(e.metrics, ['sent']);
    assert.equal(e.receipt, true);
    assert.equal(e.enrolsControl, false);
    assert.equal(e.sendId, null);
    assert.equal(e.hash, contentHash(e.payload));
    assert.ok(countsSomewhere(e));
  });

  it('keeps every field in the payload, keys sorted, nulls dropped', () => {
    const e = valid(event({ extra: { b: 1, a: [2] }, dispatch_id: null }));
    assert.deepEqual(Object.keys(JSON.parse(e.payload)), [
      'campaign_id',
      'event_type',
      'external_user_id',
      'extra',
      'id',
      'message_variation_id',
      'time',
    ]);
    assert.deepEqual(JSON.parse(e.payload).extra, { a: [2], b: 1 });
  });

  it('keeps a "__proto__" field as data', () => {
    const e = valid(JSON.parse(JSON.stringify(event()).replace('{', '{"__proto__":{"x":1},')));
    assert.deepEqual(JSON.parse(e.payload).__proto__, { x: 1 });
  });

  it('refuses anything but an object', () => {
    for (const raw of [null, [], 'e1', 5, true]) {
      assert.equal(rejected(raw), 'an event must be a JSON object');
    }
  });

  describe('id', () => {
    it('is required: 1 to 128 characters', () => {
      for (const raw of [event({}, 'id'), event({ id: '' }), event({ id: 'x'.repeat(129) })]) {
        assert.match(rejected(raw), /^id is required: a string of 1 to 128 characters$/);
      }
    });
    it('must be a string', () => {
      assert.match(rejected(event({ id: 17 })), /^id is required/);
    });
    it('may be 128 characters', () => {
      assert.equal(valid(event({ id: 'x'.repeat(128) })).id, 'x'.repeat(128));
    });
  });

  it('requires event_type', () => {
    assert.match(rejected(event({}, 'event_type')), /^event_type is required/);
    assert.match(rejected(event({ event_type: '' })), /^event_type is required/);
    assert.match(rejected(event({ event_type: 3 })), /^event_type is required/);
  });

  describe('time', () => {
    it('is required', () => {
      assert.match(rejected(event({}, 'time')), /^time is required/);
    });
    it('must be a number', () => {
      assert.equal(rejected(event({ time: String(T) })), 'time must be a number');
      assert.equal(rejected(event({ time_ms: String(T * 1000) })), 'time_ms must be a number');
    });
    it('time_ms wins over time', () => {
      assert.equal(valid(event({ time_ms: T * 1000 + 1234 })).instantMs, T * 1000 + 1234);
      assert.equal(valid(event({ time_ms: T * 1000 + 5 }, 'time')).instantMs, T * 1000 + 5);
    });
    it('a null time_ms (Avro absent) falls back to time', () => {
      assert.equal(valid(event({ time_ms: null })).instantMs, T * 1000);
      assert.equal(valid(event({ time_ms: { null: null } })).instantMs, T * 1000);
    });
    it('keeps fractional seconds as milliseconds', () => {
      assert.equal(valid(event({ time: T + 0.25 })).instantMs, T * 1000 + 250);
    });
    it('refuses absurd instants, naming the field and the unit', () => {
      assert.equal(
        rejected(event({ time: T * 1000 })),
        `time ${T * 1000} is not a plausible instant (epoch seconds from 2000 to 2099)`,
      );
      assert.equal(
        rejected(event({ time_ms: T })),
        `time_ms ${T} is not a plausible instant (epoch milliseconds from 2000 to 2099)`,
      );
      assert.match(rejected(event({ time: 0 })), /^time 0 is not a plausible instant/);
      assert.match(rejected(event({ time: 86_400 * 365 })), /not a plausible instant/); // 1971
      assert.match(rejected(event({ time: Date.UTC(3000, 0, 1) / 1000 })), /not a plausible/);
      assert.match(rejected(event({ time: -T })), /not a plausible instant/);
    });
    it('accepts 2000-01-01 and refuses 2100-01-01', () => {
      assert.equal(valid(event({ time_ms: EARLIEST_INSTANT_MS })).instantMs, EARLIEST_INSTANT_MS);
      assert.equal(
        valid(event({ time_ms: LATEST_INSTANT_MS - 1 })).instantMs,
        LATEST_INSTANT_MS - 1,
      );
      assert.match(rejected(event({ time_ms: EARLIEST_INSTANT_MS - 1 })), /not a plausible/);
      assert.match(rejected(event({ time_ms: LATEST_INSTANT_MS })), /not a plausible/);
    });
  });

  it('refuses a campaign_id that is not a string', () => {
    assert.equal(rejected(event({ campaign_id: 42 })), 'campaign_id must be a string');
  });

  it('requires message_variation_id on a campaign event', () => {
    assert.match(rejected(event({}, 'message_variation_id')), /^message_variation_id is required/);
  });

  describe('user key', () => {
    it('is required', () => {
      assert.match(rejected(event({}, 'external_user_id')), /^a user key is required/);
      assert.match(rejected(event({ external_user_id: '', user_id: '' })), /user key is required/);
    });
    it('is external_user_id over user_id', () => {
      assert.equal(valid(event({ user_id: 'braze1' })).userKey, 'u1');
    });
    it('falls back to user_id when external_user_id is empty or absent', () => {
      assert.equal(valid(event({ external_user_id: '', user_id: 'braze1' })).userKey, 'braze1');
      assert.equal(valid(event({ external_user_id: null, user_id: 'braze1' })).userKey, 'braze1');
      assert.equal(valid(event({ user_id: 'braze1' }, 'external_user_id')).userKey, 'braze1');
    });
    it('refuses a user key that is not a string rather than guessing', () => {
      assert.equal(
        rejected(event({ external_user_id: 12, user_id: 'b' })),
        'external_user_id must be a string',
      );
    });
  });

  describe('payload and hash', () => {
    it('Avro union form gives the same event as the flat form', () => {
      const flat = valid(event({ campaign_name: 'Welcome', send_id: 's1' }));
      const avro = valid({
        id: { string: 'e1' },
        event_type: 'users.messages.email.Send',
        time: { long: T },
        external_user_id: { string: 'u1' },
        campaign_id: { string: 'c1' },
        campaign_name: { string: 'Welcome' },
        message_variation_id: { string: 'v1' },
        send_id: { string: 's1' },
        canvas_id: { null: null },
      });
      assert.deepEqual(avro, flat);
    });
    it('key order changes nothing, at any depth', () => {
      const a = valid(event({ properties: { x: 1, y: { p: 1, q: 2 } } }));
      const reversed = Object.fromEntries(
        Object.entries(event({ properties: { y: { q: 2, p: 1 }, x: 1 } })).reverse(),
      );
      const b = valid(reversed);
      assert.equal(b.payload, a.payload);
      assert.equal(b.hash, a.hash);
    });
    it('different content gives a different hash', () => {
      assert.notEqual(valid(event({ email_address: 'a@x' })).hash, valid(event()).hash);
    });
  });

  describe('push platform', () => {
    const push = (platform?: string, extra: Raw = {}) =>
      event({ event_type: 'users.messages.pushnotification.Send', platform, ...extra });
    it('picks the channel', () => {
      const expected = {
        ios: 'ios_push',
        tvos: 'ios_push',
        android: 'android_push',
        kindle: 'kindle_push',
        web: 'web_push',
      };
      for (const [platform, channel] of Object.entries(expected)) {
        assert.equal(valid(push(platform)).channel, channel);
      }
    });
    it('refuses a missing or unknown platform, saying which values are allowed', () => {
      assert.equal(
        rejected(push('windows')),
        'platform must be one of ios, tvos, android, kindle, web on a push event (got "windows")',
      );
      assert.match(rejected(push(undefined)), /platform must be one of .* \(got null\)$/);
    });
    it('refuses it on a Canvas-only push event too', () => {
      assert.match(rejected(push('windows', { campaign_id: null })), /^platform must be one of/);
    });
  });

  describe('events that count nowhere', () => {
    const ignored = (raw: Raw) => {
      const e = valid(raw);
      assert.equal(countsSomewhere(e), false);
      assert.equal(e.campaign, null);
      assert.equal(e.channel, null);
      assert.deepEqual(e.metrics, []);
      assert.equal(e.unique, null);
      assert.equal(e.receipt, false);
      assert.equal(e.enrolsControl, false);
      return e;
    };
    it('Canvas-only message events', () => {
      ignored(event({ canvas_id: 'cv1', canvas_step_id: 's' }, 'campaign_id'));
      ignored(event({ campaign_id: '' }));
    });
    it('message events the catalog does not count', () => {
      ignored(event({ event_type: 'users.messages.email.SoftBounce' }));
      ignored(event({ event_type: 'users.messages.email.toString' }));
    });
    it('unknown event types, still stored whole', () => {
      const e = ignored(event({ event_type: 'users.canvas.Entry', anything: [1, 2] }));
      assert.deepEqual(JSON.parse(e.payload).anything, [1, 2]);
      // A behavior without its required field can credit nothing: stored, ignored.
      ignored(event({ event_type: 'users.behaviors.CustomEvent' }));
    });
    it('behaviors and imported conversions count: attribution may credit them', () => {
      const custom = valid(event({ event_type: 'users.behaviors.CustomEvent', name: 'signup' }));
      assert.equal(custom.behavior?.eventName, 'signup');
      assert.ok(countsSomewhere(custom));
      const imported = valid(
        event({ event_type: 'users.campaigns.Conversion', conversion_behavior_index: 2 }),
      );
      assert.equal(imported.importedConversion?.behaviorIndex, 2);
      assert.ok(countsSomewhere(imported));
    });
  });

  describe('EnrollInControl', () => {
    it('enrols the user in the control group of the campaign', () => {
      const e = valid(event({ event_type: 'users.campaigns.EnrollInControl' }));
      assert.equal(e.enrolsControl, true);
      assert.equal(e.campaign?.campaignId, 'c1');
      assert.equal(e.campaign?.variationId, 'v1');
      assert.equal(e.channel, null);
      assert.deepEqual(e.metrics, []);
      assert.equal(e.receipt, false);
      assert.ok(countsSomewhere(e));
    });
    it('counts nowhere without a campaign', () => {
      const e = valid(event({ event_type: 'users.campaigns.EnrollInControl' }, 'campaign_id'));
      assert.equal(e.enrolsControl, false);
      assert.equal(countsSomewhere(e), false);
    });
  });

  describe('send_id', () => {
    it('is kept on a campaign event', () => {
      assert.equal(valid(event({ send_id: 's1' })).sendId, 's1');
    });
    it('is null when empty or when the event counts nowhere', () => {
      assert.equal(valid(event({ send_id: '' })).sendId, null);
      assert.equal(valid(event({ send_id: 's1' }, 'campaign_id')).sendId, null);
    });
    it('must be a string', () => {
      assert.equal(rejected(event({ send_id: 5 })), 'send_id must be a string');
    });
  });

  it('marks email opens for the 7-day unique rule', () => {
    const e = valid(event({ event_type: 'users.messages.email.Open' }));
    assert.deepEqual(e.unique, {
      metric: 'unique_opens',
      windowMs: 604_800_000,
      chain: 'email_open',
    });
    assert.deepEqual(e.metrics, ['opens']);
  });
});
