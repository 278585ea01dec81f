/**
 * Rate limits (SPEC §6): fixed windows per workspace and per endpoint family.
 *
 * The limiter only counts; the policy (which family a path is in and its limit) lives here too
 * so that every limiter implementation (memory, Redis) applies exactly the same rules.
 */

export interface RateDecision {
  readonly limit: number;
  /** Requests left in the current window (never negative). */
  readonly remaining: number;
  /** Epoch milliseconds at which the current window ends. */
  readonly resetMs: number;
  readonly allowed: boolean;
}

/**
 * Counts one request against `key` in the fixed window of `windowMs` that contains `nowMs`
 * (windows start at multiples of `windowMs` since the epoch, so every process agrees on them).
 */
export interface RateLimiter {
  consume(key: string, limit: number, windowMs: number, nowMs: number): Promise<RateDecision>;
  /** Throws, saying why, when the limiter cannot count (its server is unreachable). */
  ready(): Promise<void>;
}

/** Works out a decision from the count after this request; shared by every limiter. */
export function decide(
  count: number,
  limit: number,
  windowMs: number,
  nowMs: number,
): RateDecision {
  return {
    limit,
    remaining: Math.max(0, limit - count),
    resetMs: windowStart(nowMs, windowMs) + windowMs,
    allowed: count <= limit,
  };
}

export function windowStart(nowMs: number, windowMs: number): number {
  return Math.floor(nowMs / windowMs) * windowMs;
}

/** A limiter for one process (the embedded deployment). */
export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  private nextSweepMs = 0;

  /** In this process's memory: always ready. */
  async ready(): Promise<void> {}

  async consume(
    key: string,
    limit: number,
    windowMs: number,
    nowMs: number,
  ): Promise<RateDecision> {
    this.sweep(nowMs);
    const start = windowStart(nowMs, windowMs);
    let window = this.windows.get(key);
    if (!window || window.start !== start) {
      window = { start, count: 0 };
      this.windows.set(key, window);
    }
    window.count++;
    return decide(window.count, limit, windowMs, nowMs);
  }

  /**
   * Drops windows that ended, so counters of clients that went away (one per IP for
   * unauthenticated requests) don't accumulate. Windows are at most a day long, so a
   * once-a-minute pass that drops anything older than a day keeps the map small and cheap.
   */
  private sweep(nowMs: number): void {
    if (nowMs < this.nextSweepMs) return;
    this.nextSweepMs = nowMs + 60_000;
    for (const [key, window] of this.windows) {
      if (window.start + MAX_WINDOW_MS <= nowMs) this.windows.delete(key);
    }
  }
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const MAX_WINDOW_MS = DAY_MS;

export interface RateRule {
  readonly limit: number;
  readonly windowMs: number;
}

/** The endpoint families of SPEC §6. */
export interface RateLimits {
  readonly dataSeries: RateRule;
  readonly sendIdCreate: RateRule;
  /** Every other endpoint (and unknown paths) shares this one. */
  readonly default: RateRule;
}

export const DEFAULT_RATE_LIMITS: RateLimits = {
  dataSeries: { limit: 50_000, windowMs: MINUTE_MS },
  sendIdCreate: { limit: 100, windowMs: DAY_MS },
  default: { limit: 250_000, windowMs: HOUR_MS },
};

export type RateFamily = keyof RateLimits;

/**
 * The family of a route (its URL pattern, undefined for unknown paths). Only
 * `/campaigns/data_series` has its own budget in SPEC §6; `/sends/data_series` shares the
 * default one, as in Braze.
 */
export function rateFamily(routeUrl: string | undefined): RateFamily {
  if (routeUrl === '/campaigns/data_series') return 'dataSeries';
  if (routeUrl === '/sends/id/create') return 'sendIdCreate';
  return 'default';
}

/**
 * The defaults with the configured overrides, checked: a window rule must be usable numbers,
 * or every request would be refused (or none).
 */
export function resolveRateLimits(overrides: Partial<RateLimits> | undefined): RateLimits {
  const limits: RateLimits = { ...DEFAULT_RATE_LIMITS, ...overrides };
  for (const [family, rule] of Object.entries(limits) as [RateFamily, unknown][]) {
    if (rule === null || typeof rule !== 'object' || Array.isArray(rule)) {
      throw new Error(
        `rate limit ${family} must be an object such as {"limit": 100, "windowMs": 60000}`,
      );
    }
    checkRule(family, rule as RateRule);
  }
  return limits;
}

function checkRule(family: RateFamily, rule: RateRule): void {
  if (!Number.isInteger(rule.limit) || rule.limit < 1) {
    throw new Error(`rate limit ${family}.limit must be a positive integer`);
  }
  if (!Number.isInteger(rule.windowMs) || rule.windowMs < 1 || rule.windowMs > MAX_WINDOW_MS) {
    throw new Error(`rate limit ${family}.windowMs must be an integer from 1 to ${MAX_WINDOW_MS}`);
  }
}
