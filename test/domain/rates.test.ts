/**
 * SPEC §8's figures. The expected confidences come from an independent computation
 * (test/support/spec8.ts), not the module's closed-form approximation.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  applyRate,
  CHANNEL_RATES,
  compareWithControl,
  normalCdf,
  sumRange,
  type SeriesDay,
} from '../../src/domain/rates.js';
import { CHANNELS } from '../../src/domain/channels.js';
import { channelMetrics } from '../../src/domain/catalog.js';
import { expectedConfidence } from '../support/spec8.js';

describe('SPEC §8 rates', () => {
  it('every rate reads metrics the channel reports', () => {
    for (const channel of CHANNELS) {
      const metrics = new Set(channelMetrics(channel));
      for (const rule of CHANNEL_RATES[channel]) {
        for (const name of [rule.numerator, rule.denominator, rule.less ?? rule.denominator]) {
          assert.ok(metrics.has(name), `${channel} ${rule.key} reads ${name}`);
        }
      }
    }
  });

  it('push opens are over sent minus bounces; a zero denominator shows no rate', () => {
    const [direct] = CHANNEL_RATES.ios_push;
    assert.equal(applyRate(direct!, { sent: 110, bounces: 10, direct_opens: 25 }), 0.25);
    assert.equal(applyRate(direct!, { sent: 10, bounces: 10, direct_opens: 0 }), null);
    const [delivery] = CHANNEL_RATES.email;
    assert.equal(applyRate(delivery!, {}), null);
  });
});

describe('SPEC §8 confidence against control', () => {
  it('matches the z-test computed independently', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 5000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (n1, n0, share1, share0) => {
          const c1 = Math.floor(n1 * share1);
          const c0 = Math.floor(n0 * share0);
          const pooled = (c1 + c0) / (n1 + n0);
          const { confidence, lift, winner } = compareWithControl(c1, n1, c0, n0);
          if (pooled === 0 || pooled === 1) {
            assert.equal(confidence, null);
            return;
          }
          const expected = expectedConfidence(c1, n1, c0, n0)!;
          assert.ok(Math.abs(confidence! - expected) < 1e-6, `${confidence} vs ${expected}`);
          assert.equal(lift, c0 > 0 ? (c1 / n1 - c0 / n0) / (c0 / n0) : null);
          // Marked at 95% (away from the boundary, where the approximation could round across).
          if (Math.abs(expected - 0.95) > 1e-5) {
            assert.equal(winner, expected >= 0.95 && c1 / n1 > c0 / n0);
          }
        },
      ),
    );
  });

  it('a better variation at 95% is the winner, a worse one never', () => {
    const better = compareWithControl(120, 1000, 90, 1000);
    assert.ok(better.confidence! > 0.95 && better.winner);
    const worse = compareWithControl(90, 1000, 120, 1000);
    assert.ok(worse.confidence! > 0.95 && !worse.winner);
    assert.equal(compareWithControl(5, 0, 3, 10).confidence, null);
    assert.ok(Math.abs(normalCdf(0) - 0.5) < 1e-7);
  });
});

describe('sums over a range', () => {
  it('adds every day of each entry, and revenue to the cent', () => {
    const day = (time: string, sent: number, revenue: number): SeriesDay => ({
      time,
      unique_recipients: sent,
      revenue,
      messages: {
        email: [
          { variation_name: 'A', variation_api_id: 'a', sent, revenue },
          { variation_name: 'Control', variation_api_id: 'cg', enrolled: 2, revenue: 0 },
        ],
      },
    });
    const totals = sumRange([day('2026-01-01', 3, 0.1), day('2026-01-02', 4, 0.2)]);
    assert.deepEqual(totals.day, { unique_recipients: 7, revenue: 0.3 });
    const [variant, control] = totals.channels.get('email')!;
    assert.deepEqual(variant, {
      variationId: 'a',
      name: 'A',
      control: false,
      figures: { sent: 7, revenue: 0.3 },
    });
    assert.equal(control!.control, true);
    assert.equal(control!.figures.enrolled, 4);
  });
});
