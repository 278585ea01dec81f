/**
 * The Redis rate limiter against a real redis-server (Debian's, on a free loopback port):
 * two limiters stand for two API processes sharing one budget.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { RedisRateLimiter } from '../../src/api/redis-rate-limiter.js';
import { startRedis, type RedisService } from '../support/services.js';

const MINUTE_MS = 60_000;
const NOW = Date.parse('2026-01-05T10:00:30Z');
const WINDOW_END = Date.parse('2026-01-05T10:01:00Z');

describe('RedisRateLimiter', () => {
  let redis: RedisService;
  let first: RedisRateLimiter;
  let second: RedisRateLimiter;

  before(async () => {
    redis = await startRedis();
    first = new RedisRateLimiter({ url: redis.url });
    second = new RedisRateLimiter({ url: redis.url });
  });
  after(async () => {
    try {
      await Promise.all([first?.close(), second?.close()]);
    } finally {
      await redis?.stop();
    }
  });

  it('shares one budget between processes and refuses past the limit', async () => {
    const decisions = [];
    for (let i = 0; i < 5; i++) {
      const limiter = i % 2 === 0 ? first : second;
      decisions.push(await limiter.consume('ws1:dataSeries', 3, MINUTE_MS, NOW + i));
    }
    assert.deepEqual(
      decisions.map((d) => [d.allowed, d.remaining]),
      [
        [true, 2],
        [true, 1],
        [true, 0],
        [false, 0],
        [false, 0],
      ],
    );
    assert.ok(decisions.every((d) => d.limit === 3 && d.resetMs === WINDOW_END));
  });

  it('counts concurrent requests exactly once each', async () => {
    const decisions = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        (i % 2 === 0 ? first : second).consume('ws2:default', 20, MINUTE_MS, NOW),
      ),
    );
    assert.equal(decisions.filter((d) => d.allowed).length, 20);
    assert.deepEqual(
      decisions
        .map((d) => d.remaining)
        .sort((a, b) => b - a)
        .slice(0, 20),
      Array.from({ length: 20 }, (_, i) => 19 - i),
    );
  });

  it('starts afresh in the next window and keeps keys and windows apart', async () => {
    await first.consume('ws3:dataSeries', 1, MINUTE_MS, NOW);
    assert.equal((await first.consume('ws3:dataSeries', 1, MINUTE_MS, NOW)).allowed, false);
    const next = await second.consume('ws3:dataSeries', 1, MINUTE_MS, WINDOW_END);
    assert.deepEqual(next, {
      limit: 1,
      remaining: 0,
      resetMs: WINDOW_END + MINUTE_MS,
      allowed: true,
    });
    assert.equal((await first.consume('ws4:dataSeries', 1, MINUTE_MS, NOW)).allowed, true);
    assert.equal((await first.consume('ws3:dataSeries', 1, 2 * MINUTE_MS, NOW)).allowed, true);
  });

  it('lets each counter expire after its window', async () => {
    const client = new Redis(redis.url);
    try {
      await first.consume('ws5:default', 10, MINUTE_MS, Date.now());
      const [key] = await client.keys('tally:rate:ws5:default:*');
      assert.ok(key, 'counter key written');
      const ttl = await client.pttl(key);
      assert.ok(ttl > 0 && ttl <= 2 * MINUTE_MS, `ttl ${ttl}`);
    } finally {
      client.disconnect();
    }
  });
});
