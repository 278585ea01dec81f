/** MemoryRateLimiter (fixed windows) and the SPEC §6 policy, without HTTP. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_RATE_LIMITS,
  MemoryRateLimiter,
  rateFamily,
  resolveRateLimits,
} from '../../src/api/rate-limit.js';

describe('MemoryRateLimiter', () => {
  it('allows `limit` requests per fixed window, then refuses until the window ends', async () => {
    const limiter = new MemoryRateLimiter();
    const start = 1_800_000_000_000; // a multiple of 60,000
    const first = await limiter.consume('k', 2, 60_000, start + 5);
    assert.deepEqual(first, { limit: 2, remaining: 1, resetMs: start + 60_000, allowed: true });
    assert.equal((await limiter.consume('k', 2, 60_000, start + 10)).remaining, 0);
    const third = await limiter.consume('k', 2, 60_000, start + 59_999);
    assert.deepEqual(third, { limit: 2, remaining: 0, resetMs: start + 60_000, allowed: false });
    const next = await limiter.consume('k', 2, 60_000, start + 60_000);
    assert.deepEqual(next, { limit: 2, remaining: 1, resetMs: start + 120_000, allowed: true });
  });

  it('counts each key separately', async () => {
    const limiter = new MemoryRateLimiter();
    await limiter.consume('a', 1, 1000, 0);
    assert.equal((await limiter.consume('a', 1, 1000, 1)).allowed, false);
    assert.equal((await limiter.consume('b', 1, 1000, 1)).allowed, true);
  });

  it('starts a key from zero after a long absence (its old window was swept)', async () => {
    const limiter = new MemoryRateLimiter();
    await limiter.consume('a', 1, 1000, 0);
    const later = await limiter.consume('a', 1, 1000, 2 * 86_400_000);
    assert.equal(later.allowed, true);
  });
});

describe('rate policy (SPEC §6)', () => {
  it('has the SPEC defaults', () => {
    assert.deepEqual(DEFAULT_RATE_LIMITS, {
      dataSeries: { limit: 50_000, windowMs: 60_000 },
      sendIdCreate: { limit: 100, windowMs: 86_400_000 },
      default: { limit: 250_000, windowMs: 3_600_000 },
    });
  });

  it('gives /campaigns/data_series and /sends/id/create their own budgets, everything else the shared one', () => {
    assert.equal(rateFamily('/campaigns/data_series'), 'dataSeries');
    assert.equal(rateFamily('/sends/id/create'), 'sendIdCreate');
    assert.equal(rateFamily('/sends/data_series'), 'default');
    assert.equal(rateFamily('/events'), 'default');
    assert.equal(rateFamily(undefined), 'default');
  });

  it('applies overrides and refuses unusable ones', () => {
    const limits = resolveRateLimits({ dataSeries: { limit: 3, windowMs: 1000 } });
    assert.deepEqual(limits.dataSeries, { limit: 3, windowMs: 1000 });
    assert.deepEqual(limits.default, DEFAULT_RATE_LIMITS.default);
    assert.throws(
      () => resolveRateLimits({ default: { limit: 0, windowMs: 1000 } }),
      /default\.limit/,
    );
    assert.throws(
      () => resolveRateLimits({ default: { limit: 1, windowMs: 2 * 86_400_000 } }),
      /windowMs/,
    );
  });
});
