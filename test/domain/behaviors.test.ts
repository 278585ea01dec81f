/**
 * The behavior model: SPEC §3's matching table, Currents behavior events, email engagement,
 * imported conversions and purchase revenue. Expectations are written out by hand.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  behaviorFromCurrents,
  emailEngagementOf,
  importedConversionFromCurrents,
  matchesBehavior,
  purchaseRevenueMicros,
  type Action,
  type Behavior,
  type BehaviorEnvelope,
} from '../../src/domain/behaviors.js';
import type { ConversionBehavior } from '../../src/domain/campaign.js';
import { flattenEvent } from '../../src/ingest/currents.js';
import { event } from '../support/events.js';

const T = Date.parse('2026-03-01T10:00:00Z');
const ENVELOPE: BehaviorEnvelope = { id: 'b1', userKey: 'u1', instantMs: T };

const purchase = (productId: string): Behavior => ({
  ...ENVELOPE,
  kind: 'purchase',
  productId,
  price: 1,
  quantity: 1,
  currency: 'USD',
});
const customEvent = (eventName: string): Behavior => ({
  ...ENVELOPE,
  kind: 'custom_event',
  eventName,
});
const session = (appId?: string): Behavior =>
  appId === undefined
    ? { ...ENVELOPE, kind: 'session_start' }
    : { ...ENVELOPE, kind: 'session_start', appId };
const email = (kind: 'email_open' | 'email_click', campaignId = 'c1'): Action => ({
  ...ENVELOPE,
  kind,
  campaignId,
});

const W = 3600;

describe('matchesBehavior (SPEC §3 table)', () => {
  const cases: readonly [string, ConversionBehavior, Action, boolean][] = [
    ['any purchase: a purchase', { type: 'Makes Any Purchase', window: W }, purchase('x'), true],
    [
      'any purchase: a custom event',
      { type: 'Makes Any Purchase', window: W },
      customEvent('x'),
      false,
    ],
    [
      'specific purchase: that product',
      { type: 'Makes Specific Purchase', product: 'shoes', window: W },
      purchase('shoes'),
      true,
    ],
    [
      'specific purchase: another product',
      { type: 'Makes Specific Purchase', product: 'shoes', window: W },
      purchase('socks'),
      false,
    ],
    [
      'custom event: that name',
      { type: 'Performs Custom Event', custom_event_name: 'signup', window: W },
      customEvent('signup'),
      true,
    ],
    [
      'custom event: another name',
      { type: 'Performs Custom Event', custom_event_name: 'signup', window: W },
      customEvent('Signup'),
      false,
    ],
    [
      'session: null app_ids, any app',
      { type: 'Starts Session', app_ids: null, window: W },
      session('a1'),
      true,
    ],
    ['session: absent app_ids, no app', { type: 'Starts Session', window: W }, session(), true],
    [
      'session: one of the apps',
      { type: 'Starts Session', app_ids: ['a1', 'a2'], window: W },
      session('a2'),
      true,
    ],
    [
      'session: another app',
      { type: 'Starts Session', app_ids: ['a1'], window: W },
      session('a3'),
      false,
    ],
    [
      'session: apps listed, session without app',
      { type: 'Starts Session', app_ids: ['a1'], window: W },
      session(),
      false,
    ],
    [
      'session: a custom event',
      { type: 'Starts Session', app_ids: null, window: W },
      customEvent('x'),
      false,
    ],
    [
      'opens email: an open of this campaign',
      { type: 'Opens Email', window: W },
      email('email_open'),
      true,
    ],
    [
      'opens email: an open of another campaign',
      { type: 'Opens Email', window: W },
      email('email_open', 'c2'),
      false,
    ],
    ['opens email: a click', { type: 'Opens Email', window: W }, email('email_click'), false],
    [
      'clicks email: a click of this campaign',
      { type: 'Clicks Email', window: W },
      email('email_click'),
      true,
    ],
    [
      'clicks email: a click of another campaign',
      { type: 'Clicks Email', window: W },
      email('email_click', 'c2'),
      false,
    ],
    ['unknown type', { type: 'Makes Any Refund', window: W }, purchase('x'), false],
    ['prototype member as type', { type: 'toString', window: W }, purchase('x'), false],
  ];
  for (const [name, definition, action, expected] of cases) {
    it(name, () => assert.equal(matchesBehavior(definition, action, 'c1'), expected));
  }
});

describe('behaviorFromCurrents', () => {
  it('reads a users.behaviors.Purchase, currency upper-cased, quantity 1 when absent', () => {
    const fields = flattenEvent({
      product_id: { string: 'shoes' },
      price: { double: 12.5 },
      currency: 'eur',
      app_id: 'app1',
      properties: { size: 42 },
    });
    assert.deepEqual(behaviorFromCurrents('users.behaviors.Purchase', ENVELOPE, fields), {
      ok: true,
      value: {
        id: 'b1',
        userKey: 'u1',
        instantMs: T,
        kind: 'purchase',
        appId: 'app1',
        productId: 'shoes',
        price: 12.5,
        quantity: 1,
        currency: 'EUR',
        // flattenEvent builds null-prototype objects (see src/ingest/currents.ts).
        properties: Object.assign(Object.create(null), { size: 42 }),
      },
    });
  });

  it('reads a users.behaviors.CustomEvent and a users.behaviors.app.SessionStart', () => {
    assert.deepEqual(
      behaviorFromCurrents('users.behaviors.CustomEvent', ENVELOPE, { name: 'signup' }),
      { ok: true, value: { ...ENVELOPE, kind: 'custom_event', eventName: 'signup' } },
    );
    assert.deepEqual(
      behaviorFromCurrents('users.behaviors.app.SessionStart', ENVELOPE, {
        app_id: 'a1',
        session_id: 's1',
      }),
      { ok: true, value: { ...ENVELOPE, kind: 'session_start', appId: 'a1' } },
    );
  });

  it('names the field that is wrong', () => {
    const reason = (eventType: string, fields: Record<string, unknown>): string | undefined => {
      const result = behaviorFromCurrents(eventType, ENVELOPE, fields);
      return result && !result.ok ? result.reason : undefined;
    };
    const P = 'users.behaviors.Purchase';
    assert.match(reason(P, { price: 1, currency: 'USD' }) ?? '', /^product_id is required/);
    assert.match(reason(P, { product_id: 'x', price: '1', currency: 'USD' }) ?? '', /^price/);
    assert.match(reason(P, { product_id: 'x', price: -1, currency: 'USD' }) ?? '', /^price/);
    assert.match(reason(P, { product_id: 'x', price: 1, currency: 'US' }) ?? '', /^currency/);
    assert.match(reason(P, { product_id: 'x', price: 1 }) ?? '', /^currency/);
    const quantity = { product_id: 'x', price: 1, currency: 'USD' };
    assert.match(reason(P, { ...quantity, quantity: 0 }) ?? '', /^quantity/);
    assert.match(reason(P, { ...quantity, quantity: 101 }) ?? '', /^quantity/);
    assert.match(reason(P, { ...quantity, quantity: 1.5 }) ?? '', /^quantity/);
    assert.match(reason('users.behaviors.CustomEvent', {}) ?? '', /^name is required/);
    assert.match(reason('users.behaviors.CustomEvent', { name: 'x'.repeat(256) }) ?? '', /^name/);
  });

  it('counts a behavior whatever the form of its properties (SPEC §2: no rule reads them)', () => {
    for (const properties of ['{}', '{"plan": "pro"}', 'not json', { plan: 'pro' }, [1], 7]) {
      const result = behaviorFromCurrents('users.behaviors.CustomEvent', ENVELOPE, {
        name: 'signup',
        properties,
      });
      assert.deepEqual(result, {
        ok: true,
        value: { ...ENVELOPE, kind: 'custom_event', eventName: 'signup', properties },
      });
    }
  });

  it('reads a Currents price, a 32-bit float, as the decimal the app logged', () => {
    const price = (value: number) => {
      const fields = { product_id: 'x', price: value, currency: 'USD' };
      const result = behaviorFromCurrents('users.behaviors.Purchase', ENVELOPE, fields);
      return result?.ok ? result.value.price : undefined;
    };
    assert.equal(price(Math.fround(3.14)), 3.14);
    assert.equal(price(Math.fround(19.99)), 19.99);
    assert.equal(price(Math.fround(0.1)), 0.1);
    assert.equal(price(Math.fround(1234.56)), 1234.56);
    // Exact in both widths, or a double that is no float: read as it is.
    assert.equal(price(12.5), 12.5);
    assert.equal(price(0.1), 0.1);
    assert.equal(price(3.140000000001), 3.140000000001);
  });

  it('says nothing about other event types', () => {
    assert.equal(behaviorFromCurrents('users.behaviors.Uninstall', ENVELOPE, {}), undefined);
    assert.equal(behaviorFromCurrents('constructor', ENVELOPE, {}), undefined);
  });
});

describe('emailEngagementOf', () => {
  it('is the Open or Click of a campaign, nothing else', () => {
    const at = '2026-03-01T10:00:00Z';
    assert.deepEqual(emailEngagementOf(event('email.Open', { id: 'o1', at, campaign: 'c9' })), {
      id: 'o1',
      userKey: 'u1',
      instantMs: T,
      kind: 'email_open',
      campaignId: 'c9',
    });
    assert.equal(emailEngagementOf(event('email.Click', { id: 'k1', at }))?.kind, 'email_click');
    assert.equal(emailEngagementOf(event('email.Send', { id: 's1', at })), undefined);
    assert.equal(
      emailEngagementOf(event('email.Open', { id: 'o2', at, campaign: null })),
      undefined,
    );
  });
});

describe('importedConversionFromCurrents', () => {
  const TYPE = 'users.campaigns.Conversion';
  const fields = { campaign_id: 'c1', message_variation_id: 'v2', conversion_behavior_index: 3 };

  it('reads the campaign, variation and behavior index', () => {
    assert.deepEqual(importedConversionFromCurrents(TYPE, ENVELOPE, fields), {
      ok: true,
      value: { ...ENVELOPE, campaignId: 'c1', variationId: 'v2', behaviorIndex: 3 },
    });
  });

  it('refuses an index outside 0..3 and a missing variation, naming the field', () => {
    const bad = (overrides: Record<string, unknown>): string => {
      const result = importedConversionFromCurrents(TYPE, ENVELOPE, { ...fields, ...overrides });
      return result && !result.ok ? result.reason : 'accepted';
    };
    assert.match(bad({ conversion_behavior_index: 4 }), /^conversion_behavior_index/);
    assert.match(bad({ conversion_behavior_index: -1 }), /^conversion_behavior_index/);
    assert.match(bad({ conversion_behavior_index: '0' }), /^conversion_behavior_index/);
    assert.match(bad({ message_variation_id: undefined }), /^message_variation_id/);
  });

  it('says nothing about other event types', () => {
    assert.equal(
      importedConversionFromCurrents('users.campaigns.EnrollInControl', ENVELOPE, fields),
      undefined,
    );
  });
});

describe('purchaseRevenueMicros', () => {
  const rates = new Map([['EUR', 1.08]]);
  const bought = (price: number, currency: string, quantity: number): Behavior => ({
    ...purchase('x'),
    price,
    currency,
    quantity,
  });

  it('is price × quantity in micro-USD, exact where floats are not', () => {
    // 0.1 × 3 is 0.30000000000000004 in floating point; the answer is 300,000 micro-USD.
    assert.equal(purchaseRevenueMicros(bought(0.1, 'USD', 3), rates), 300_000);
    assert.equal(purchaseRevenueMicros(bought(19.99, 'USD', 3), rates), 59_970_000);
  });

  it('converts at the rate, and is null without one', () => {
    // 25 EUR × 2 × 1.08 = 54 USD.
    assert.equal(purchaseRevenueMicros(bought(25, 'EUR', 2), rates), 54_000_000);
    assert.equal(purchaseRevenueMicros(bought(25, 'GBP', 1), rates), null);
  });

  it('is null for anything but a purchase', () => {
    assert.equal(purchaseRevenueMicros(customEvent('signup'), rates), null);
  });
});
