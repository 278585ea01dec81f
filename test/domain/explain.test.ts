/** The pure parts of explanations: every figure has a rule, and pages cover the list once. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { metricRule, PUSH_BUTTON_METRIC } from '../../src/domain/catalog.js';
import { CHANNELS } from '../../src/domain/channels.js';
import { figureSource, pageOf } from '../../src/domain/explain.js';
import { CONTROL_FIELDS, DAY_FIGURES, variationFields } from '../../src/domain/series-shape.js';

const LABELS = new Set(['variation_name', 'variation_api_id']);

describe('explanations (domain)', () => {
  it('has a rule for every figure of every answer, and names the kind of each', () => {
    const rules = new Set<string>();
    const check = (channel: (typeof CHANNELS)[number] | null, field: string) => {
      const rule = metricRule(channel, field);
      assert.ok(rule && rule.length > 20, `${channel ?? 'day'} ${field} has a rule`);
      rules.add(rule);
    };
    for (const field of DAY_FIGURES) check(null, field);
    for (const field of CONTROL_FIELDS) if (!LABELS.has(field)) check(null, field);
    for (const channel of CHANNELS) {
      for (const field of variationFields('multivariate', channel)) {
        if (!LABELS.has(field)) check(channel, field);
      }
    }
    check('ios_push', `${PUSH_BUTTON_METRIC}Buy now`);
    assert.match(metricRule('ios_push', `${PUSH_BUTTON_METRIC}Buy now`)!, /"Buy now"/);
    // Sentences of their own: a channel's `sent` is not another channel's, nor a conversion's.
    assert.ok(rules.size > 40, `${rules.size} distinct rules`);
    assert.match(metricRule(null, 'conversions2_by_send_time')!, /behavior C.*the receipt/);
    assert.equal(metricRule('email', 'nope'), undefined);

    assert.equal(figureSource('sent'), 'events');
    assert.equal(figureSource('unique_opens'), 'uniques');
    assert.equal(figureSource('unique_dismissals'), 'uniques');
    assert.equal(figureSource('enrolled'), 'members');
    assert.equal(figureSource('conversions3_by_send_time'), 'credits');
    assert.equal(figureSource('revenue'), 'credits');
  });

  it('pages a list in order, each item once, and says when it ends', () => {
    const items = Array.from({ length: 7 }, (_, i) => i);
    const pages = [0, 1, 2, 3].map((page) => pageOf(items, page, 3));
    assert.deepEqual(
      pages.map((p) => p.items),
      [[0, 1, 2], [3, 4, 5], [6], []],
    );
    assert.deepEqual(
      pages.map((p) => p.nextPage),
      [1, 2, null, null],
    );
    assert.deepEqual(pageOf(items.slice(0, 6), 1, 3).nextPage, null);
  });

  it('is documented for every figure in docs/metrics.md', () => {
    const docs = readFileSync('docs/metrics.md', 'utf8');
    const section = docs.slice(docs.indexOf('## Explaining a figure'));
    for (const figure of [
      'unique_recipients',
      'enrolled',
      'revenue',
      'notif_button_',
      'unique_opens',
    ]) {
      assert.ok(section.includes(figure), `${figure} in the explanation table`);
    }
  });
});
