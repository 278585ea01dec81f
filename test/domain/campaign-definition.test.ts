/** validateCampaignDefinition against SPEC §3 and §7: what it accepts, and each refusal's message. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateCampaignDefinition } from '../../src/domain/campaign-definition.js';

const SPEC_EXAMPLE = {
  campaign_id: 'c1',
  name: 'Spring sale',
  is_api_campaign: false,
  tags: ['sale'],
  channels: ['email', 'ios_push'],
  variations: [
    { id: 'v1', name: 'Variant 1' },
    { id: 'v2', name: 'Variant 2' },
    { id: 'cg', name: 'Control Group', control: true },
  ],
  conversion_behaviors: [
    { type: 'Makes Any Purchase', window: 259200 },
    { type: 'Performs Custom Event', custom_event_name: 'signup', window: 86400 },
  ],
};

function refusal(body: unknown): string {
  const result = validateCampaignDefinition(body);
  assert.equal(result.ok, false, `expected a refusal of ${JSON.stringify(body)}`);
  return result.ok ? '' : result.message;
}

const withField = (field: string, value: unknown) => ({ ...SPEC_EXAMPLE, [field]: value });
const behavior = (b: Record<string, unknown>) => withField('conversion_behaviors', [b]);

describe('validateCampaignDefinition', () => {
  it('accepts the SPEC §7 example unchanged', () => {
    assert.deepEqual(validateCampaignDefinition(SPEC_EXAMPLE), {
      ok: true,
      definition: SPEC_EXAMPLE,
    });
  });

  it('accepts a bare campaign_id and leaves absent fields absent', () => {
    assert.deepEqual(validateCampaignDefinition({ campaign_id: 'c1' }), {
      ok: true,
      definition: { campaign_id: 'c1' },
    });
  });

  it('names a variation without a name by its id, and keeps every behavior type', () => {
    const result = validateCampaignDefinition({
      campaign_id: 'c1',
      variations: [{ id: 'v1' }],
      conversion_behaviors: [
        { type: 'Makes Specific Purchase', product: 'sku1', window: 1 },
        { type: 'Starts Session', window: 2592000 },
        { type: 'Starts Session', app_ids: ['a1'], window: 60 },
        { type: 'Opens Email', window: 60 },
      ],
    });
    assert.ok(result.ok);
    assert.deepEqual(result.definition.variations, [{ id: 'v1', name: 'v1' }]);
    assert.deepEqual(result.definition.conversion_behaviors, [
      { type: 'Makes Specific Purchase', product: 'sku1', window: 1 },
      { type: 'Starts Session', window: 2592000, app_ids: null },
      { type: 'Starts Session', window: 60, app_ids: ['a1'] },
      { type: 'Opens Email', window: 60 },
    ]);
  });

  const refusals: [string, unknown, RegExp][] = [
    ['a non-object body', [SPEC_EXAMPLE], /must be a JSON object/],
    ['a missing campaign_id', { name: 'x' }, /^campaign_id must be a string of 1 to 128/],
    ['an empty campaign_id', { campaign_id: '' }, /^campaign_id must be a string/],
    ['a numeric campaign_id', { campaign_id: 7 }, /^campaign_id must be a string/],
    [
      'an unknown field',
      withField('conversion_behaviours', []),
      /"conversion_behaviours" is not a known field/,
    ],
    ['a non-string name', withField('name', 3), /^name must be a string$/],
    [
      'a non-boolean is_api_campaign',
      withField('is_api_campaign', 'yes'),
      /^is_api_campaign must be true or false$/,
    ],
    ['a non-string tag', withField('tags', ['a', 1]), /^tags\[1\] must be a string$/],
    ['tags not an array', withField('tags', 'sale'), /^tags must be an array$/],
    [
      'an unknown channel',
      withField('channels', ['email', 'fax']),
      /^channels\[1\] must be one of ios_push, /,
    ],
    [
      'a repeated channel',
      withField('channels', ['email', 'email']),
      /^channels\[1\]: email is listed twice$/,
    ],
    [
      'a variation without id',
      withField('variations', [{ name: 'A' }]),
      /^variations\[0\]\.id must be a string/,
    ],
    [
      'an empty variation id',
      withField('variations', [{ id: '' }]),
      /^variations\[0\]\.id must be a string/,
    ],
    [
      'a repeated variation id',
      withField('variations', [{ id: 'v1' }, { id: 'v1' }]),
      /^variations\[1\]\.id "v1" is used twice$/,
    ],
    [
      'two control groups',
      withField('variations', [
        { id: 'c1', control: true },
        { id: 'c2', control: true },
      ]),
      /^variations\[1\]: a campaign has at most one control group/,
    ],
    [
      'an unknown variation field',
      withField('variations', [{ id: 'v', weight: 1 }]),
      /variations\[0\]\."weight"/,
    ],
    [
      'five behaviors',
      withField('conversion_behaviors', Array(5).fill({ type: 'Makes Any Purchase', window: 60 })),
      /^conversion_behaviors has 5 entries; a campaign has at most 4$/,
    ],
    [
      'an unknown behavior type',
      behavior({ type: 'Buys Stuff', window: 60 }),
      /^conversion_behaviors\[0\]\.type must be one of Makes Any Purchase, /,
    ],
    [
      'a window of 0',
      behavior({ type: 'Opens Email', window: 0 }),
      /^conversion_behaviors\[0\]\.window must be an integer from 1 to 2592000$/,
    ],
    [
      'a window above 30 days',
      behavior({ type: 'Opens Email', window: 2592001 }),
      /window must be an integer from 1 to 2592000$/,
    ],
    [
      'a fractional window',
      behavior({ type: 'Opens Email', window: 1.5 }),
      /window must be an integer/,
    ],
    [
      'a string window',
      behavior({ type: 'Opens Email', window: '60' }),
      /window must be an integer/,
    ],
    ['a missing window', behavior({ type: 'Opens Email' }), /window must be an integer/],
    [
      'a specific purchase without product',
      behavior({ type: 'Makes Specific Purchase', window: 60 }),
      /^conversion_behaviors\[0\]\.product is required for "Makes Specific Purchase"/,
    ],
    [
      'a custom event without a name',
      behavior({ type: 'Performs Custom Event', custom_event_name: '', window: 60 }),
      /^conversion_behaviors\[0\]\.custom_event_name is required/,
    ],
    [
      'a field of another type',
      behavior({ type: 'Makes Any Purchase', product: 'sku', window: 60 }),
      /^conversion_behaviors\[0\]\."product" is not a known field/,
    ],
    [
      'app_ids that are not strings',
      behavior({ type: 'Starts Session', app_ids: [1], window: 60 }),
      /^conversion_behaviors\[0\]\.app_ids\[0\] must be a string$/,
    ],
  ];
  for (const [name, body, message] of refusals) {
    it(`refuses ${name}`, () => assert.match(refusal(body), message));
  }

  it('keeps push_buttons of a variation and refuses ones that cannot name a key', () => {
    const body = {
      campaign_id: 'c1',
      variations: [{ id: 'v1', name: 'One', push_buttons: ['Buy', 'Later'] }],
    };
    const result = validateCampaignDefinition(body);
    assert.deepEqual(result, { ok: true, definition: body });
    const with_ = (push_buttons: unknown, control?: boolean) =>
      refusal({ campaign_id: 'c1', variations: [{ id: 'v1', push_buttons, control }] });
    assert.match(with_('Buy'), /^variations\[0\]\.push_buttons must be an array/);
    assert.match(with_(['']), /^variations\[0\]\.push_buttons\[0\] must be a non-empty string/);
    assert.match(with_(['A', 'A']), /push_buttons\[1\] "A" is listed twice/);
    assert.match(with_(['A'], true), /a control group sends nothing/);
  });

  it('names the offending behavior by its position', () => {
    const body = withField('conversion_behaviors', [
      { type: 'Makes Any Purchase', window: 60 },
      { type: 'Opens Email', window: 0 },
    ]);
    assert.equal(
      refusal(body),
      'conversion_behaviors[1].window must be an integer from 1 to 2592000',
    );
  });
});
