/**
 * The first thing every request meets (an `onRequest` hook, so nothing is parsed or buffered
 * for a request that is refused): authenticate, count it against its rate limit, then check
 * the route's permission.
 *
 * The rate limit is counted before the 401/403 decision, so a client hammering with a bad key
 * is limited too (per client IP, with the same policy), and every answer, errors included,
 * carries the X-RateLimit-* headers.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Authenticator } from './auth.js';
import type { ErrorBody } from './errors.js';
import { rateFamily, type RateLimiter, type RateLimits } from './rate-limit.js';

export interface GuardOptions {
  readonly authenticator: Authenticator;
  readonly limiter: RateLimiter;
  readonly limits: RateLimits;
  readonly now: () => number;
}

function describeWindow(windowMs: number): string {
  const units: [number, string][] = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1_000, 'second'],
  ];
  for (const [ms, unit] of units) {
    if (windowMs % ms === 0) return windowMs === ms ? unit : `${windowMs / ms} ${unit}s`;
  }
  return `${windowMs} ms`;
}

export function createGuard(options: GuardOptions) {
  const { authenticator, limiter, limits, now } = options;
  return async function guard(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const auth = await authenticator.authenticate({
      authorization: request.headers.authorization,
      apiKeyParam: (request.query as Record<string, unknown> | undefined)?.api_key,
    });
    // Set before the limit check so that the request log names the workspace of a 429 too.
    request.grant = auth.ok ? auth.grant : null;
    const family = rateFamily(request.routeOptions.url);
    const rule = limits[family];
    const subject = auth.ok ? `ws:${auth.grant.workspaceId}` : `ip:${request.ip}`;
    const nowMs = now();
    const decision = await limiter.consume(
      `${subject}:${family}`,
      rule.limit,
      rule.windowMs,
      nowMs,
    );
    const resetSeconds = Math.ceil(decision.resetMs / 1000);
    void reply.headers({
      'x-ratelimit-limit': decision.limit,
      'x-ratelimit-remaining': decision.remaining,
      'x-ratelimit-reset': resetSeconds,
    });
    if (!decision.allowed) {
      const message = `rate limit exceeded: ${rule.limit} requests per ${describeWindow(rule.windowMs)}; retry after ${new Date(resetSeconds * 1000).toISOString()}`;
      return reply
        .code(429)
        .header('retry-after', Math.max(1, Math.ceil((decision.resetMs - nowMs) / 1000)))
        .send({ message } satisfies ErrorBody);
    }
    const permission = request.routeOptions.config.permission;
    if (permission === undefined) return;
    if (!auth.ok) return reply.code(401).send({ message: auth.message } satisfies ErrorBody);
    if (!auth.grant.permissions.includes(permission)) {
      return reply.code(403).send({ message: 'Access Denied' } satisfies ErrorBody);
    }
  };
}
