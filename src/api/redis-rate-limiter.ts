/**
 * The rate limiter shared by several API processes (docs/deploy.md): the window counters live
 * in Redis, so N processes behind a load balancer enforce one limit per workspace together.
 *
 * Each (key, window) is one Redis counter named after the window's start, which every process
 * derives from the clock alone (rate-limit.ts `windowStart`); INCR is atomic, so concurrent
 * requests from any process get distinct counts. The counter expires shortly after its window
 * ends, so Redis holds only live windows; the expiry is relative (PEXPIRE), measured on the
 * caller's clock like the window itself, so Redis's own clock plays no part.
 */
import { Redis } from 'ioredis';
import { decide, windowStart, type RateDecision, type RateLimiter } from './rate-limit.js';

/** Kept past the window's end, so a process whose clock is a little behind still finds it. */
const EXPIRY_SLACK_MS = 60_000;

export interface RedisRateLimiterOptions {
  /** `redis://host:port[/db]` */
  readonly url: string;
  /** Prefix of every key, so several deployments can share one Redis. Default `tally:rate:`. */
  readonly prefix?: string;
}

export class RedisRateLimiter implements RateLimiter {
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(options: RedisRateLimiterOptions) {
    // A request waits for one reconnection attempt at most, then fails: it must not hang on
    // the limiter while Redis is unreachable.
    this.redis = new Redis(options.url, { maxRetriesPerRequest: 1 });
    this.prefix = options.prefix ?? 'tally:rate:';
  }

  async consume(
    key: string,
    limit: number,
    windowMs: number,
    nowMs: number,
  ): Promise<RateDecision> {
    const start = windowStart(nowMs, windowMs);
    const counter = `${this.prefix}${key}:${windowMs}:${start}`;
    const results = await this.redis
      .multi()
      .incr(counter)
      .pexpire(counter, start + windowMs - nowMs + EXPIRY_SLACK_MS)
      .exec();
    const [error, count] = results?.[0] ?? [new Error('Redis returned no result'), null];
    if (error) throw error;
    return decide(Number(count), limit, windowMs, nowMs);
  }

  async ready(): Promise<void> {
    try {
      await this.redis.ping();
    } catch (error) {
      throw new Error(`Redis (rate limits) does not answer: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  /** Drops the connection at once: every consume() has already had its answer. */
  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
