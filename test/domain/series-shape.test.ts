import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Campaign, Variation } from '../../src/domain/campaign.js';
import type { Channel } from '../../src/domain/channels.js';
import { CONVERSION_FIELDS, type SeriesCell } from '../../src/domain/series.js';
import {
  CONTROL_FIELDS,
  DAY_FIELDS,
  shapeSeries,
  variationFields,
  type SeriesKind,
} from '../../src/domain/series-shape.js';
import { parseDay } from '../../src/domain/time.js';

const MAR_1 = parseDay('2024-03-01')!;
const RANGE = { firstDay: MAR_1, lastDay: MAR_1 + 2 }; // 2024-03-01 .. 2024-03-03

const CONVERSIONS_ZERO = {
  conversions: 0,
  conversions1: 0,
  conversions2: 0,
  conversions3: 0,
  conversions_by_send_time: 0,
  conversions1_by_send_time: 0,
  conversions2_by_send_time: 0,
  conversions3_by_send_time: 0,
};
const EMAIL_ZERO = {
  sent: 0,
  opens: 0,
  unique_opens: 0,
  clicks: 0,
  unique_clicks: 0,
  unsubscribes: 0,
  bounces: 0,
  delivered: 0,
  reported_spam: 0,
  machine_open: 0,
  machine_amp_open: 0,
};
const PUSH_ZERO = { sent: 0, direct_opens: 0, total_opens: 0, bounces: 0, body_clicks: 0 };
const EMAIL_KEYS = Object.keys(EMAIL_ZERO);
const CONVERSION_KEYS = CONVERSION_FIELDS;

function campaign(channels: Channel[], variations: Variation[]): Campaign {
  return { id: 'c1', name: 'Spring', channels, variations, definition: null };
}
const v = (id: string, name: string, control = false, pushButtons: string[] = []): Variation => ({
  id,
  name,
  control,
  pushButtons,
});

function cell(
  date: string,
  channel: Channel | null,
  variationId: string | null,
  metric: string,
  value: number,
): SeriesCell {
  return { day: parseDay(date)!, channel, variationId, metric, value };
}

function shape(c: Campaign, cells: SeriesCell[], kind: SeriesKind = 'campaign') {
  return shapeSeries({ campaign: c, range: RANGE, cells, kind });
}

describe('shapeSeries: days', () => {
  it('answers exactly length days, oldest first, every one zero-filled', () => {
    const answer = shape(campaign(['email'], [v('v1', 'Variant 1')]), []);
    assert.equal(answer.message, 'success');
    assert.deepEqual(answer.data, [
      {
        time: '2024-03-01',
        messages: { email: [{ variation_api_id: 'v1', ...EMAIL_ZERO }] },
        ...CONVERSIONS_ZERO,
        unique_recipients: 0,
        revenue: 0,
      },
      {
        time: '2024-03-02',
        messages: { email: [{ variation_api_id: 'v1', ...EMAIL_ZERO }] },
        ...CONVERSIONS_ZERO,
        unique_recipients: 0,
        revenue: 0,
      },
      {
        time: '2024-03-03',
        messages: { email: [{ variation_api_id: 'v1', ...EMAIL_ZERO }] },
        ...CONVERSIONS_ZERO,
        unique_recipients: 0,
        revenue: 0,
      },
    ]);
  });

  it('answers 100 days when asked for 100, across a month end', () => {
    const range = { firstDay: parseDay('2024-01-01')!, lastDay: parseDay('2024-04-09')! };
    const answer = shapeSeries({
      campaign: campaign(['sms'], [v('v1', 'A')]),
      range,
      cells: [],
      kind: 'campaign',
    });
    assert.equal(answer.data.length, 100);
    assert.equal(answer.data[0]!.time, '2024-01-01');
    assert.equal(answer.data[59]!.time, '2024-02-29');
    assert.equal(answer.data[99]!.time, '2024-04-09');
  });

  it('puts day-level figures (channel and variation null) on their day, keys in answer order', () => {
    const answer = shape(campaign(['email'], [v('v1', 'A')]), [
      cell('2024-03-02', null, null, 'unique_recipients', 7),
      cell('2024-03-02', null, null, 'revenue', 12.5),
      cell('2024-03-03', null, null, 'conversions2_by_send_time', 2),
    ]);
    const [mar1, mar2, mar3] = answer.data;
    assert.equal(mar1!.unique_recipients, 0);
    assert.equal(mar2!.unique_recipients, 7);
    assert.equal(mar2!.revenue, 12.5);
    assert.equal(mar3!.conversions2_by_send_time, 2);
    assert.equal(mar3!.conversions2, 0);
    assert.deepEqual(Object.keys(mar1!), [
      'time',
      'messages',
      ...CONVERSION_KEYS,
      'unique_recipients',
      'revenue',
    ]);
  });

  it('leaves out cells outside the range or of unknown channels, variations and fields', () => {
    const answer = shape(campaign(['email'], [v('v1', 'A')]), [
      cell('2024-02-29', 'email', 'v1', 'sent', 5),
      cell('2024-03-04', 'email', 'v1', 'sent', 5),
      cell('2024-03-01', 'sms', 'v1', 'sent', 5),
      cell('2024-03-01', 'email', 'v9', 'sent', 5),
      cell('2024-03-01', 'email', 'v1', 'no_such_metric', 5),
      cell('2024-03-01', 'email', null, 'sent', 5),
    ]);
    for (const day of answer.data) {
      assert.deepEqual(day.messages, { email: [{ variation_api_id: 'v1', ...EMAIL_ZERO }] });
    }
  });

  it('adds up cells naming the same field', () => {
    const answer = shape(campaign(['email'], [v('v1', 'A')]), [
      cell('2024-03-01', 'email', 'v1', 'sent', 2),
      cell('2024-03-01', 'email', 'v1', 'sent', 3),
    ]);
    assert.equal(answer.data[0]!.messages.email![0]!.sent, 5);
  });
});

describe('shapeSeries: multichannel (one variation, no control)', () => {
  const c = campaign(['trigger_in_app_message', 'email', 'ios_push'], [v('v1', 'Variant 1')]);

  it('keys messages by channel in SPEC order', () => {
    const answer = shape(c, []);
    assert.deepEqual(Object.keys(answer.data[0]!.messages), [
      'ios_push',
      'email',
      'trigger_in_app_message',
    ]);
  });

  it('gives variation_api_id and the channel metrics only, counted per day and channel', () => {
    const answer = shape(c, [
      cell('2024-03-02', 'email', 'v1', 'sent', 10),
      cell('2024-03-02', 'email', 'v1', 'unique_opens', 4),
      cell('2024-03-03', 'ios_push', 'v1', 'direct_opens', 3),
      // Not part of a multichannel entry: dropped, the day-level figure is the one shown.
      cell('2024-03-02', 'email', 'v1', 'unique_recipients', 10),
      cell('2024-03-02', null, null, 'unique_recipients', 10),
    ]);
    const mar2 = answer.data[1]!;
    assert.deepEqual(mar2.messages, {
      ios_push: [{ variation_api_id: 'v1', ...PUSH_ZERO }],
      email: [{ variation_api_id: 'v1', ...EMAIL_ZERO, sent: 10, unique_opens: 4 }],
      trigger_in_app_message: [
        {
          variation_api_id: 'v1',
          impressions: 0,
          clicks: 0,
          first_button_clicks: 0,
          second_button_clicks: 0,
        },
      ],
    });
    assert.equal(mar2.unique_recipients, 10);
    assert.deepEqual(Object.keys(mar2.messages.email![0]!), ['variation_api_id', ...EMAIL_KEYS]);
    assert.deepEqual(answer.data[2]!.messages.ios_push, [
      { variation_api_id: 'v1', ...PUSH_ZERO, direct_opens: 3 },
    ]);
    assert.deepEqual(answer.data[0]!.messages.email, [{ variation_api_id: 'v1', ...EMAIL_ZERO }]);
  });
});

describe('shapeSeries: multivariate with control', () => {
  // Control listed first and variations out of id order: the answer keeps the campaign's
  // variation order and puts the control last.
  const c = campaign(
    ['email', 'ios_push'],
    [v('cg', 'Control Group', true), v('v2', 'Variant 2'), v('v1', 'Variant 1')],
  );
  const cells = [
    cell('2024-03-01', 'email', 'v1', 'sent', 3),
    cell('2024-03-01', 'email', 'v1', 'unique_recipients', 3),
    cell('2024-03-01', 'email', 'v1', 'revenue', 9.99),
    cell('2024-03-01', 'email', 'v2', 'sent', 4),
    cell('2024-03-01', 'email', 'v2', 'conversions', 1),
    cell('2024-03-01', null, 'cg', 'enrolled', 6),
    cell('2024-03-01', null, 'cg', 'conversions1', 2),
    cell('2024-03-01', null, 'cg', 'revenue', 5),
    // Control numbers come from channel-null cells only.
    cell('2024-03-01', 'email', 'cg', 'enrolled', 99),
  ];

  it('lists variations in campaign order, then the control, in every channel', () => {
    const answer = shape(c, cells);
    for (const channel of ['email', 'ios_push'] as const) {
      const names = answer.data[0]!.messages[channel]!.map((e) => e.variation_name);
      assert.deepEqual(names, ['Variant 2', 'Variant 1', 'Control Group'], channel);
    }
  });

  it('gives variation entries the name, revenue, recipients and conversions', () => {
    const email = shape(c, cells).data[0]!.messages.email!;
    assert.deepEqual(email[0], {
      variation_name: 'Variant 2',
      variation_api_id: 'v2',
      ...EMAIL_ZERO,
      sent: 4,
      revenue: 0,
      unique_recipients: 0,
      ...CONVERSIONS_ZERO,
      conversions: 1,
    });
    assert.deepEqual(email[1], {
      variation_name: 'Variant 1',
      variation_api_id: 'v1',
      ...EMAIL_ZERO,
      sent: 3,
      revenue: 9.99,
      unique_recipients: 3,
      ...CONVERSIONS_ZERO,
    });
    assert.deepEqual(Object.keys(email[1]!), [
      'variation_name',
      'variation_api_id',
      ...EMAIL_KEYS,
      'revenue',
      'unique_recipients',
      ...CONVERSION_KEYS,
    ]);
  });

  it('gives the control entry the same numbers in every channel', () => {
    const answer = shape(c, cells);
    const control = {
      variation_name: 'Control Group',
      variation_api_id: 'cg',
      enrolled: 6,
      revenue: 5,
      unique_recipients: 0,
      ...CONVERSIONS_ZERO,
      conversions1: 2,
    };
    const [email, push] = [answer.data[0]!.messages.email!, answer.data[0]!.messages.ios_push!];
    assert.deepEqual(email[2], control);
    assert.deepEqual(push[2], control);
    assert.deepEqual(Object.keys(email[2]!), Object.keys(control));
    assert.notEqual(email[2], push[2], 'each channel has its own object');
    assert.deepEqual(answer.data[1]!.messages.email![2], {
      ...control,
      enrolled: 0,
      revenue: 0,
      conversions1: 0,
    });
  });

  it('is multivariate with one variation and a control group', () => {
    const answer = shape(campaign(['sms'], [v('v1', 'Only'), v('cg', 'Control', true)]), []);
    const sms = answer.data[0]!.messages.sms!;
    assert.equal(sms.length, 2);
    assert.equal(sms[0]!.variation_name, 'Only');
    assert.equal(sms[0]!.unique_recipients, 0);
    assert.equal(sms[1]!.enrolled, 0);
  });

  it('is multivariate with two variations and no control group', () => {
    const answer = shape(campaign(['webhook'], [v('a', 'A'), v('b', 'B')]), []);
    assert.deepEqual(answer.data[0]!.messages.webhook, [
      {
        variation_name: 'A',
        variation_api_id: 'a',
        sent: 0,
        errors: 0,
        revenue: 0,
        unique_recipients: 0,
        ...CONVERSIONS_ZERO,
      },
      {
        variation_name: 'B',
        variation_api_id: 'b',
        sent: 0,
        errors: 0,
        revenue: 0,
        unique_recipients: 0,
        ...CONVERSIONS_ZERO,
      },
    ]);
  });
});

describe('shapeSeries: send series', () => {
  it('carries the multivariate extras even for a single-variation campaign', () => {
    const answer = shape(
      campaign(['android_push'], [v('v1', 'Variant 1')]),
      [
        cell('2024-03-03', 'android_push', 'v1', 'sent', 2),
        cell('2024-03-03', 'android_push', 'v1', 'unique_recipients', 2),
      ],
      'send',
    );
    assert.deepEqual(answer.data[2]!.messages, {
      android_push: [
        {
          variation_name: 'Variant 1',
          variation_api_id: 'v1',
          ...PUSH_ZERO,
          sent: 2,
          revenue: 0,
          unique_recipients: 2,
          ...CONVERSIONS_ZERO,
        },
      ],
    });
  });
});

describe('entry field lists', () => {
  it('names every field of each entry kind in answer order', () => {
    assert.deepEqual(DAY_FIELDS, ['time', ...CONVERSION_KEYS, 'unique_recipients', 'revenue']);
    assert.deepEqual(variationFields('multichannel', 'webhook'), [
      'variation_api_id',
      'sent',
      'errors',
    ]);
    assert.deepEqual(variationFields('multivariate', 'whats_app'), [
      'variation_name',
      'variation_api_id',
      'sent',
      'delivered',
      'failed',
      'read',
      'revenue',
      'unique_recipients',
      ...CONVERSION_KEYS,
    ]);
    assert.deepEqual(CONTROL_FIELDS, [
      'variation_name',
      'variation_api_id',
      'enrolled',
      'revenue',
      'unique_recipients',
      ...CONVERSION_KEYS,
    ]);
  });
});

describe('shapeSeries: push button clicks (SPEC §2)', () => {
  const c = campaign(
    ['ios_push', 'android_push', 'email'],
    [v('v1', 'One', false, ['Buy', 'Later']), v('v2', 'Two')],
  );
  const answer = shape(c, [
    cell('2024-03-02', 'ios_push', 'v1', 'push_button:Later', 3),
    cell('2024-03-02', 'ios_push', 'v1', 'push_button:Later', 1),
    cell('2024-03-02', 'android_push', 'v1', 'push_button:Buy', 2),
    // Not a button of v2, nor a push channel: left out.
    cell('2024-03-02', 'ios_push', 'v2', 'push_button:Buy', 9),
    cell('2024-03-02', 'email', 'v1', 'push_button:Buy', 9),
  ]);

  it("keys each of a variation's buttons by its position, in every day's push entries", () => {
    for (const day of answer.data) {
      for (const channel of ['ios_push', 'android_push'] as const) {
        const [one, two] = day.messages[channel]!;
        const buttons = Object.keys(one!).filter((key) => key.startsWith('notif_button_'));
        assert.deepEqual(buttons, ['notif_button_1_Buy_click', 'notif_button_2_Later_click']);
        assert.equal(Object.keys(two!).filter((k) => k.startsWith('notif_button_')).length, 0);
      }
      assert.equal(
        Object.keys(day.messages.email![0]!).filter((k) => k.startsWith('notif_')).length,
        0,
      );
    }
  });

  it('counts the clicks of each button on its day and channel', () => {
    const day = answer.data.find((d) => d.time === '2024-03-02')!;
    assert.equal(day.messages.ios_push![0]!.notif_button_2_Later_click, 4);
    assert.equal(day.messages.ios_push![0]!.notif_button_1_Buy_click, 0);
    assert.equal(day.messages.android_push![0]!.notif_button_1_Buy_click, 2);
  });
});
