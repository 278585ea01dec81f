/**
 * Attribution against SPEC §3 and §4. Every expectation is written out by hand as one line per
 * credit: `metric channel/variation send day value` (`-` for null), with the day given as the
 * instant it counts on. Nothing below is computed by the code under test.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  attributeUser,
  diffCredits,
  DEFAULT_REVENUE_WINDOW_SECONDS,
  type AttributionInput,
  type Credit,
  type Enrolment,
  type Receipt,
} from '../../src/domain/attribution.js';
import type { Behavior, EmailEngagement, ImportedConversion } from '../../src/domain/behaviors.js';
import type { ConversionBehavior } from '../../src/domain/campaign.js';
import type { Channel } from '../../src/domain/channels.js';

const at = (iso: string): number => Date.parse(iso);

const SIGNUP_1H: ConversionBehavior = {
  type: 'Performs Custom Event',
  custom_event_name: 'signup',
  window: 3600,
};
const ANY_PURCHASE_1D: ConversionBehavior = { type: 'Makes Any Purchase', window: 86_400 };

function receipt(
  id: string,
  iso: string,
  channel: Channel = 'email',
  variationId = 'v1',
  sendId: string | null = null,
): Receipt {
  return { id, instantMs: at(iso), channel, variationId, sendId };
}

function signup(id: string, iso: string): Behavior {
  return { id, userKey: 'u1', instantMs: at(iso), kind: 'custom_event', eventName: 'signup' };
}

function purchase(
  id: string,
  iso: string,
  price: number,
  currency = 'USD',
  quantity = 1,
): Behavior {
  return {
    id,
    userKey: 'u1',
    instantMs: at(iso),
    kind: 'purchase',
    productId: 'shoes',
    price,
    quantity,
    currency,
  };
}

function input(overrides: Partial<AttributionInput>): AttributionInput {
  return {
    campaignId: 'c1',
    conversionBehaviors: [SIGNUP_1H],
    controlVariationId: null,
    receipts: [],
    enrolments: [],
    actions: [],
    imported: [],
    usdRates: new Map(),
    ...overrides,
  };
}

function line(credit: Credit): string {
  const entry = `${credit.channel ?? '-'}/${credit.variationId ?? '-'}`;
  const day = new Date(credit.dayMs).toISOString();
  return `${credit.metric} ${entry} ${credit.sendId ?? '-'} ${day} ${credit.value}`;
}

function lines(credits: readonly Credit[]): string[] {
  return credits.map(line).sort();
}

/** The four credits of one conversion of behavior A in `entry` (plus its day-level twins). */
function conversionA(entry: string, send: string, tau: string, sent: string): string[] {
  return [
    `conversions ${entry} ${send} ${tau} 1`,
    `conversions_by_send_time ${entry} ${send} ${sent} 1`,
    `conversions -/- ${send} ${tau} 1`,
    `conversions_by_send_time -/- ${send} ${sent} 1`,
  ];
}

const R = '2026-03-01T10:00:00.000Z';

describe('attributeUser: the window', () => {
  it('counts a behavior at the instant of the receipt (τ = r)', () => {
    const credits = attributeUser(
      input({ receipts: [receipt('r1', R)], actions: [signup('b1', R)] }),
    );
    assert.deepEqual(lines(credits), conversionA('email/v1', '-', R, R).sort());
  });

  it('counts a behavior at the end of the window (τ = r + window)', () => {
    const tau = '2026-03-01T11:00:00.000Z';
    const credits = attributeUser(
      input({ receipts: [receipt('r1', R)], actions: [signup('b1', tau)] }),
    );
    assert.deepEqual(lines(credits), conversionA('email/v1', '-', tau, R).sort());
  });

  it('does not count a behavior 1 ms after the window, nor one before the receipt', () => {
    const credits = attributeUser(
      input({
        receipts: [receipt('r1', R)],
        actions: [
          signup('late', '2026-03-01T11:00:00.001Z'),
          signup('early', '2026-03-01T09:59:59.999Z'),
        ],
      }),
    );
    assert.deepEqual(credits, []);
  });

  it('gives no conversion for a behavior that does not match', () => {
    const other: Behavior = { ...signup('b1', R), eventName: 'login' };
    assert.deepEqual(attributeUser(input({ receipts: [receipt('r1', R)], actions: [other] })), []);
  });
});

describe('attributeUser: once per behavior per receipt', () => {
  it('counts repeated behaviors in one window once, on the day of the first', () => {
    const credits = attributeUser(
      input({
        receipts: [receipt('r1', '2026-03-01T23:30:00.000Z')],
        actions: [
          signup('b1', '2026-03-01T23:40:00.000Z'),
          signup('b2', '2026-03-02T00:10:00.000Z'),
          signup('b3', '2026-03-02T00:20:00.000Z'),
        ],
      }),
    );
    assert.deepEqual(
      lines(credits),
      conversionA('email/v1', '-', '2026-03-01T23:40:00.000Z', '2026-03-01T23:30:00.000Z').sort(),
    );
  });

  it('opens a new window with a new receipt, counting one more conversion', () => {
    const credits = attributeUser(
      input({
        receipts: [receipt('r1', R), receipt('r2', '2026-03-02T10:00:00.000Z')],
        actions: [
          signup('b1', '2026-03-01T10:30:00.000Z'),
          signup('b2', '2026-03-02T10:30:00.000Z'),
        ],
      }),
    );
    assert.deepEqual(
      lines(credits),
      [
        ...conversionA('email/v1', '-', '2026-03-01T10:30:00.000Z', R),
        ...conversionA('email/v1', '-', '2026-03-02T10:30:00.000Z', '2026-03-02T10:00:00.000Z'),
      ].sort(),
    );
  });

  it('credits only the most recent receipt: an older one still in the window gets nothing', () => {
    const r2 = '2026-03-01T10:20:00.000Z';
    const credits = attributeUser(
      input({
        receipts: [receipt('r1', R), receipt('r2', r2)],
        // b1 converts against r2; b2 finds r2 credited and r1 is not the most recent.
        actions: [
          signup('b1', '2026-03-01T10:30:00.000Z'),
          signup('b2', '2026-03-01T10:40:00.000Z'),
        ],
      }),
    );
    assert.deepEqual(
      lines(credits),
      conversionA('email/v1', '-', '2026-03-01T10:30:00.000Z', r2).sort(),
    );
  });

  it('breaks a tie between receipts at the same instant by the greater id', () => {
    const credits = attributeUser(
      input({
        receipts: [receipt('r-b', R, 'email', 'v2'), receipt('r-a', R, 'email', 'v1')],
        actions: [signup('b1', R)],
      }),
    );
    assert.deepEqual(lines(credits), conversionA('email/v2', '-', R, R).sort());
  });

  it('counts each behavior of the campaign in its own field', () => {
    const tau = '2026-03-01T10:30:00.000Z';
    const credits = attributeUser(
      input({
        conversionBehaviors: [ANY_PURCHASE_1D, SIGNUP_1H],
        receipts: [receipt('r1', R)],
        actions: [signup('b1', tau)],
      }),
    );
    assert.deepEqual(lines(credits), [
      `conversions1 -/- - ${tau} 1`,
      `conversions1 email/v1 - ${tau} 1`,
      `conversions1_by_send_time -/- - ${R} 1`,
      `conversions1_by_send_time email/v1 - ${R} 1`,
    ]);
  });
});

describe('attributeUser: channels and control', () => {
  it('counts one conversion per channel, and their sum at day level', () => {
    const push = '2026-03-01T10:10:00.000Z';
    const tau = '2026-03-01T10:30:00.000Z';
    const credits = attributeUser(
      input({
        receipts: [receipt('r1', R, 'email', 'v1'), receipt('r2', push, 'ios_push', 'v2')],
        actions: [signup('b1', tau)],
      }),
    );
    assert.deepEqual(
      lines(credits),
      [
        `conversions email/v1 - ${tau} 1`,
        `conversions_by_send_time email/v1 - ${R} 1`,
        `conversions ios_push/v2 - ${tau} 1`,
        `conversions_by_send_time ios_push/v2 - ${push} 1`,
        `conversions -/- - ${tau} 1`,
        `conversions -/- - ${tau} 1`,
        `conversions_by_send_time -/- - ${R} 1`,
        `conversions_by_send_time -/- - ${push} 1`,
      ].sort(),
    );
  });

  it('converts a control user against the enrolment, in the control entry only', () => {
    const enrolment: Enrolment = { id: 'e1', instantMs: at(R), variationId: 'cg' };
    const tau = '2026-03-01T10:30:00.000Z';
    const credits = attributeUser(
      input({
        enrolments: [enrolment],
        actions: [signup('b1', tau), signup('b2', '2026-03-01T10:45:00.000Z')],
      }),
    );
    assert.deepEqual(lines(credits), [
      `conversions -/cg - ${tau} 1`,
      `conversions_by_send_time -/cg - ${R} 1`,
    ]);
  });

  it('does not convert a control user after the window of the enrolment', () => {
    const enrolment: Enrolment = { id: 'e1', instantMs: at(R), variationId: 'cg' };
    const credits = attributeUser(
      input({ enrolments: [enrolment], actions: [signup('b1', '2026-03-01T11:00:00.001Z')] }),
    );
    assert.deepEqual(credits, []);
  });
});

describe('attributeUser: revenue', () => {
  const revenueOnly = (credits: readonly Credit[]): string[] =>
    lines(credits.filter((c) => c.metric === 'revenue'));

  it('counts price × quantity in micro-USD at day level and in the channel entry', () => {
    const tau = '2026-03-01T12:00:00.000Z';
    const credits = attributeUser(
      input({
        conversionBehaviors: [ANY_PURCHASE_1D],
        receipts: [receipt('r1', R, 'email', 'v1', 's1')],
        actions: [purchase('p1', tau, 19.99, 'USD', 3)],
      }),
    );
    // 19.99 × 3 = 59.97 USD = 59,970,000 micro-USD.
    assert.deepEqual(
      lines(credits),
      [
        ...conversionA('email/v1', 's1', tau, R),
        `revenue -/- s1 ${tau} 59970000`,
        `revenue email/v1 s1 ${tau} 59970000`,
      ].sort(),
    );
  });

  it('converts another currency at the workspace rate, and counts none without a rate', () => {
    const credits = attributeUser(
      input({
        conversionBehaviors: [ANY_PURCHASE_1D],
        receipts: [receipt('r1', R)],
        actions: [
          purchase('p1', '2026-03-01T11:00:00.000Z', 10, 'EUR', 2),
          purchase('p2', '2026-03-01T11:30:00.000Z', 500, 'JPY'),
        ],
        usdRates: new Map([['EUR', 1.1]]),
      }),
    );
    // 10 EUR × 2 × 1.1 = 22 USD; the JPY purchase has no rate and counts in no revenue.
    assert.deepEqual(revenueOnly(credits), [
      'revenue -/- - 2026-03-01T11:00:00.000Z 22000000',
      'revenue email/v1 - 2026-03-01T11:00:00.000Z 22000000',
    ]);
    // It still converts: p1 was first, so the conversion is p1's.
    assert.deepEqual(
      lines(credits.filter((c) => c.metric !== 'revenue')),
      conversionA('email/v1', '-', '2026-03-01T11:00:00.000Z', R).sort(),
    );
  });

  it('uses the window of behavior A: [τ − W, τ], both ends included', () => {
    const credits = attributeUser(
      input({
        conversionBehaviors: [SIGNUP_1H],
        receipts: [receipt('r1', R)],
        actions: [
          purchase('at-r', R, 1),
          purchase('at-end', '2026-03-01T11:00:00.000Z', 2),
          purchase('after', '2026-03-01T11:00:00.001Z', 4),
        ],
      }),
    );
    assert.deepEqual(revenueOnly(credits), [
      `revenue -/- - ${R} 1000000`,
      'revenue -/- - 2026-03-01T11:00:00.000Z 2000000',
      `revenue email/v1 - ${R} 1000000`,
      'revenue email/v1 - 2026-03-01T11:00:00.000Z 2000000',
    ]);
  });

  it('uses 3 days when the campaign defines no behaviors', () => {
    assert.equal(DEFAULT_REVENUE_WINDOW_SECONDS, 3 * 86_400);
    const credits = attributeUser(
      input({
        conversionBehaviors: [],
        receipts: [receipt('r1', R)],
        actions: [
          purchase('in', '2026-03-04T10:00:00.000Z', 5),
          purchase('out', '2026-03-04T10:00:00.001Z', 7),
        ],
      }),
    );
    assert.deepEqual(lines(credits), [
      'revenue -/- - 2026-03-04T10:00:00.000Z 5000000',
      'revenue email/v1 - 2026-03-04T10:00:00.000Z 5000000',
    ]);
  });

  it('counts every purchase in the window, not once per receipt', () => {
    const credits = attributeUser(
      input({
        receipts: [receipt('r1', R)],
        actions: [purchase('p1', R, 3), purchase('p2', '2026-03-01T10:10:00.000Z', 4)],
      }),
    );
    assert.deepEqual(revenueOnly(credits), [
      `revenue -/- - ${R} 3000000`,
      'revenue -/- - 2026-03-01T10:10:00.000Z 4000000',
      `revenue email/v1 - ${R} 3000000`,
      'revenue email/v1 - 2026-03-01T10:10:00.000Z 4000000',
    ]);
  });

  it('counts once per channel, in the variation of that channel’s most recent receipt', () => {
    const tau = '2026-03-01T10:50:00.000Z';
    const credits = attributeUser(
      input({
        receipts: [
          receipt('r1', R, 'email', 'v1', 's1'),
          receipt('r2', '2026-03-01T10:20:00.000Z', 'email', 'v2', 's2'),
          receipt('r3', '2026-03-01T10:10:00.000Z', 'sms', 'v1', 's3'),
        ],
        actions: [purchase('p1', tau, 8)],
      }),
    );
    // Day level once (send of the most recent receipt, r2), email once (r2's v2), sms once.
    assert.deepEqual(revenueOnly(credits), [
      `revenue -/- s2 ${tau} 8000000`,
      `revenue email/v2 s2 ${tau} 8000000`,
      `revenue sms/v1 s3 ${tau} 8000000`,
    ]);
  });

  it('counts a control user’s purchase in the control entry only', () => {
    const tau = '2026-03-01T12:00:00.000Z';
    const credits = attributeUser(
      input({
        conversionBehaviors: [ANY_PURCHASE_1D],
        enrolments: [{ id: 'e1', instantMs: at(R), variationId: 'cg' }],
        actions: [purchase('p1', tau, 12.5)],
      }),
    );
    assert.deepEqual(lines(credits), [
      `conversions -/cg - ${tau} 1`,
      `conversions_by_send_time -/cg - ${R} 1`,
      `revenue -/cg - ${tau} 12500000`,
    ]);
  });
});

describe('attributeUser: imported conversions', () => {
  const imported = (
    id: string,
    iso: string,
    behaviorIndex: number,
    variationId = 'v2',
  ): ImportedConversion => ({
    id,
    userKey: 'u1',
    instantMs: at(iso),
    campaignId: 'c1',
    variationId,
    behaviorIndex,
  });

  it('counts on the event’s day, by send time on the last receipt’s, in that receipt’s channel', () => {
    const push = '2026-03-02T08:00:00.000Z';
    const tau = '2026-03-05T09:00:00.000Z';
    const credits = attributeUser(
      input({
        conversionBehaviors: [],
        receipts: [
          receipt('r1', R, 'email', 'v1', 's1'),
          receipt('r2', push, 'ios_push', 'v1', 's2'),
          receipt('r3', '2026-03-06T08:00:00.000Z', 'sms', 'v1', 's3'),
        ],
        imported: [imported('i1', tau, 2)],
      }),
    );
    // r2 is the last receipt before τ (r3 is after); the entry takes the event's variation v2.
    assert.deepEqual(lines(credits), [
      `conversions2 -/- s2 ${tau} 1`,
      `conversions2 ios_push/v2 s2 ${tau} 1`,
      `conversions2_by_send_time -/- s2 ${push} 1`,
      `conversions2_by_send_time ios_push/v2 s2 ${push} 1`,
    ]);
  });

  it('counts at day level only, both fields on its own day, when no receipt precedes it', () => {
    const tau = '2026-03-05T09:00:00.000Z';
    const credits = attributeUser(
      input({ conversionBehaviors: [], imported: [imported('i1', tau, 0)] }),
    );
    assert.deepEqual(lines(credits), [
      `conversions -/- - ${tau} 1`,
      `conversions_by_send_time -/- - ${tau} 1`,
    ]);
  });

  it('counts a control user’s imported conversion in the control entry only', () => {
    const tau = '2026-03-05T09:00:00.000Z';
    const credits = attributeUser(
      input({
        conversionBehaviors: [],
        controlVariationId: 'cg',
        imported: [imported('i1', tau, 1, 'cg')],
      }),
    );
    assert.deepEqual(lines(credits), [
      `conversions1 -/cg - ${tau} 1`,
      `conversions1_by_send_time -/cg - ${tau} 1`,
    ]);
  });

  it('ignores imported conversions when the campaign defines behaviors', () => {
    const credits = attributeUser(
      input({
        receipts: [receipt('r1', R)],
        imported: [imported('i1', '2026-03-01T10:30:00.000Z', 0)],
      }),
    );
    assert.deepEqual(credits, []);
  });
});

describe('attributeUser: send ids (SPEC §4)', () => {
  it('gives each conversion the send of the receipt it is attributed to', () => {
    const r2 = '2026-03-02T10:00:00.000Z';
    const credits = attributeUser(
      input({
        receipts: [
          receipt('r1', R, 'email', 'v1', 'send-a'),
          receipt('r2', r2, 'email', 'v1', 'send-b'),
        ],
        actions: [
          signup('b1', '2026-03-01T10:05:00.000Z'),
          signup('b2', '2026-03-02T10:05:00.000Z'),
        ],
      }),
    );
    assert.deepEqual(
      lines(credits),
      [
        ...conversionA('email/v1', 'send-a', '2026-03-01T10:05:00.000Z', R),
        ...conversionA('email/v1', 'send-b', '2026-03-02T10:05:00.000Z', r2),
      ].sort(),
    );
    // The 14-day rule of a send series compares the converting event, not the receipt.
    const bySendTime = credits.find((c) => c.metric === 'conversions_by_send_time' && c.channel);
    assert.equal(bySendTime?.eventMs, at('2026-03-01T10:05:00.000Z'));
  });
});

describe('attributeUser: email engagement behaviors', () => {
  it('converts on an email open of this campaign, not of another', () => {
    const open = (id: string, campaignId: string): EmailEngagement => ({
      id,
      userKey: 'u1',
      instantMs: at('2026-03-01T10:15:00.000Z'),
      kind: 'email_open',
      campaignId,
    });
    const credits = attributeUser(
      input({
        conversionBehaviors: [{ type: 'Opens Email', window: 3600 }],
        receipts: [receipt('r1', R)],
        actions: [open('o-other', 'c2')],
      }),
    );
    assert.deepEqual(credits, []);
    const converted = attributeUser(
      input({
        conversionBehaviors: [{ type: 'Opens Email', window: 3600 }],
        receipts: [receipt('r1', R)],
        actions: [open('o-other', 'c2'), open('o-this', 'c1')],
      }),
    );
    assert.deepEqual(
      lines(converted),
      conversionA('email/v1', '-', '2026-03-01T10:15:00.000Z', R).sort(),
    );
  });
});

describe('attributeUser: order independence', () => {
  const everything = input({
    conversionBehaviors: [ANY_PURCHASE_1D, SIGNUP_1H],
    receipts: [
      receipt('r1', R, 'email', 'v1', 's1'),
      receipt('r2', '2026-03-01T10:30:00.000Z', 'ios_push', 'v2', 's1'),
      receipt('r3', '2026-03-02T09:00:00.000Z', 'email', 'v2', 's2'),
      receipt('r4', '2026-03-02T09:00:00.000Z', 'email', 'v1', 's2'),
    ],
    enrolments: [{ id: 'e1', instantMs: at('2026-03-01T12:00:00.000Z'), variationId: 'cg' }],
    actions: [
      signup('b1', '2026-03-01T10:40:00.000Z'),
      signup('b2', '2026-03-02T09:00:00.000Z'),
      purchase('p1', '2026-03-01T11:00:00.000Z', 10),
      purchase('p2', '2026-03-02T09:30:00.000Z', 20, 'EUR', 2),
      purchase('p3', '2026-03-02T09:30:00.000Z', 5),
    ],
    usdRates: new Map([['EUR', 1.25]]),
  });

  /** A seeded permutation (Park–Miller), so a failure can be replayed. */
  function shuffled<T>(items: readonly T[], seed: number): T[] {
    const copy = [...items];
    let state = seed;
    for (let i = copy.length - 1; i > 0; i--) {
      state = (state * 48_271) % 2_147_483_647;
      const j = state % (i + 1);
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy;
  }

  it('gives the same credits for any order of the inputs', () => {
    const expected = attributeUser(everything);
    for (let seed = 1; seed <= 50; seed++) {
      const credits = attributeUser({
        ...everything,
        receipts: shuffled(everything.receipts, seed),
        enrolments: shuffled(everything.enrolments, seed),
        actions: shuffled(everything.actions, seed * 7),
      });
      assert.deepEqual(credits, expected, `seed ${seed}`);
    }
  });

  it('attributes the shuffled set as hand-computed', () => {
    // Sorted: b1 (03-01 10:40), p1 (11:00), b2 (03-02 09:00), p2 and p3 (09:30, by id).
    // A (any purchase, 1 day): p1 converts against r1 (email) and r2 (push); e1 comes after p1.
    // p2: on email r4 beats r3 (same instant, greater id) and is credited; push r2 is 23 h old,
    // still in the window, but already credited by p1; control e1 is 21.5 h old and converts.
    // p3 finds r4, r2 and e1 credited. B (signup, 1 h): b1 against r1 and r2, b2 against r4.
    // Revenue (A's 1 day): p1 on r2's send at day level, email r1, push r2 (not control: e1
    // is later); p2 (20 EUR × 2 × 1.25 = 50 USD) and p3 (5 USD) on r4's send at day level,
    // email r4, push r2 and control e1.
    const d1 = '2026-03-01T10:40:00.000Z';
    const p1 = '2026-03-01T11:00:00.000Z';
    const r2 = '2026-03-01T10:30:00.000Z';
    const e1 = '2026-03-01T12:00:00.000Z';
    const d2 = '2026-03-02T09:00:00.000Z';
    const p2 = '2026-03-02T09:30:00.000Z';
    const conversion = (field: string, entry: string, send: string, tau: string, sent: string) => [
      `${field} ${entry} ${send} ${tau} 1`,
      `${field}_by_send_time ${entry} ${send} ${sent} 1`,
    ];
    const expected = [
      ...conversion('conversions', 'email/v1', 's1', p1, R),
      ...conversion('conversions', '-/-', 's1', p1, R),
      ...conversion('conversions', 'ios_push/v2', 's1', p1, r2),
      ...conversion('conversions', '-/-', 's1', p1, r2),
      ...conversion('conversions', 'email/v1', 's2', p2, d2),
      ...conversion('conversions', '-/-', 's2', p2, d2),
      ...conversion('conversions', '-/cg', '-', p2, e1),
      ...conversion('conversions1', 'email/v1', 's1', d1, R),
      ...conversion('conversions1', '-/-', 's1', d1, R),
      ...conversion('conversions1', 'ios_push/v2', 's1', d1, r2),
      ...conversion('conversions1', '-/-', 's1', d1, r2),
      ...conversion('conversions1', 'email/v1', 's2', d2, d2),
      ...conversion('conversions1', '-/-', 's2', d2, d2),
      `revenue -/- s1 ${p1} 10000000`,
      `revenue email/v1 s1 ${p1} 10000000`,
      `revenue ios_push/v2 s1 ${p1} 10000000`,
      `revenue -/- s2 ${p2} 50000000`,
      `revenue email/v1 s2 ${p2} 50000000`,
      `revenue ios_push/v2 s1 ${p2} 50000000`,
      `revenue -/cg - ${p2} 50000000`,
      `revenue -/- s2 ${p2} 5000000`,
      `revenue email/v1 s2 ${p2} 5000000`,
      `revenue ios_push/v2 s1 ${p2} 5000000`,
      `revenue -/cg - ${p2} 5000000`,
    ];
    assert.deepEqual(lines(attributeUser(everything)), expected.sort());
  });
});

describe('diffCredits', () => {
  it('moves a conversion to a receipt that arrives late, touching nothing else', () => {
    const tau = '2026-03-01T10:40:00.000Z';
    const late = receipt('r2', '2026-03-01T10:20:00.000Z', 'email', 'v2', 's2');
    const base = input({
      receipts: [receipt('r1', R, 'email', 'v1', 's1')],
      actions: [signup('b1', tau)],
    });
    const before = attributeUser(base);
    const after = attributeUser({ ...base, receipts: [...base.receipts, late] });
    const { removed, added } = diffCredits(before, after);
    assert.deepEqual(lines(removed), conversionA('email/v1', 's1', tau, R).sort());
    assert.deepEqual(
      lines(added),
      conversionA('email/v2', 's2', tau, '2026-03-01T10:20:00.000Z').sort(),
    );
    assert.deepEqual(
      diffCredits(after, attributeUser({ ...base, receipts: [late, ...base.receipts] })),
      {
        removed: [],
        added: [],
      },
    );
  });

  it('keeps two otherwise equal day-level credits of two channels apart', () => {
    const credits = attributeUser(
      input({
        receipts: [receipt('r1', R, 'email'), receipt('r2', R, 'sms')],
        actions: [signup('b1', R)],
      }),
    );
    assert.equal(new Set(credits.map((c) => c.key)).size, credits.length);
    assert.equal(credits.length, 8);
  });
});

describe('credit keys', () => {
  it('are the JSON of what the credit counts and why, whatever characters the ids hold', () => {
    // Ids with what JSON must escape (quote, backslash, controls, a lone surrogate) or may
    // keep as is (emoji, U+2028): keys built by hand must stay distinct for distinct credits.
    const ids = [
      'plain',
      'q"uote',
      'back\\slash',
      'tab\tnl\n',
      'lone\ud800',
      'emoji😀',
      'ls\u2028',
    ];
    const credits = attributeUser(
      input({
        conversionBehaviors: [ANY_PURCHASE_1D],
        receipts: ids.map((id, i) =>
          receipt(`r-${id}`, R, i % 2 ? 'email' : 'ios_push', `v-${id}`, id),
        ),
        actions: ids.map((id) => purchase(`p-${id}`, '2026-03-01T12:00:00.000Z', 3)),
      }),
    );
    assert.ok(credits.length > ids.length);
    for (const credit of credits) {
      const { metric, channel, variationId, sendId, dayMs, eventMs, value } = credit;
      const tuple = JSON.parse(credit.key) as unknown[];
      assert.equal(credit.key, JSON.stringify(tuple));
      assert.deepEqual(tuple.slice(0, 7), [
        metric,
        channel,
        variationId,
        sendId,
        dayMs,
        eventMs,
        value,
      ]);
    }
  });
});
