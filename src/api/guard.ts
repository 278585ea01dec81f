/**
 * The first thing every request meets (an `onRequest` hook, so nothing is parsed or buffered
 * for a request that is refused): authenticate, count it against its rate limit, then check
 * the route's permission.
 *
 * The rate limit is counted before the 401/403 answer, so a client hammering with a bad key
 * is limited too, and every answer, errors included, carries the X-RateLimit-* headers. A
 * request refused as 401 or 403 never spends its workspace's budget (SPEC §6): it is counted
 * per key (403: a valid key without the permission) or per client address (401), with the
 * same policy, so a key without a permission cannot lock the workspace's other keys out.
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
  /** Told of each 429, with the rate-limit family (metrics.ts). */
  readonly onRefused?: (family: string) => void;
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
  const { authenticator, limiter, limits, now, onRefused } = options;
  return async function guard(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (request.routeOptions.config.probe === true) return;
    const auth = await authenticator.authenticate({
      authorization: request.headers.authorization,
      apiKeyParam: (request.query as Record<string, unknown> | undefined)?.api_key,
    });
    // Set before the limit check so that the request log names the workspace of a 429 too.
    request.grant = auth.ok ? auth.grant : null;
    const family = rateFamily(request.routeOptions.url);
    const rule = limits[family];
    const permission = request.routeOptions.config.permission;
    const anyKey = request.routeOptions.config.anyKey === true;
    const refusal =
      permission === undefined && !anyKey
        ? null
        : !auth.ok
          ? 401
          : permission === undefined || auth.grant.permissions.includes(permission)
            ? null
            : 403;
    const subject = !auth.ok
      ? `ip:${request.ip}`
      : refusal === 403
        ? `key:${auth.keyHash}`
        : `ws:${auth.grant.workspaceId}`;
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
      onRefused?.(family);
      const message = `rate limit exceeded: ${rule.limit} requests per ${describeWindow(rule.windowMs)}; retry after ${new Date(resetSeconds * 1000).toISOString()}`;
      return reply
        .code(429)
        .header('retry-after', Math.max(1, Math.ceil((decision.resetMs - nowMs) / 1000)))
        .send({ message } satisfies ErrorBody);
    }
    if (!auth.ok && refusal === 401) {
      return reply.code(401).send({ message: auth.message } satisfies ErrorBody);
    }
    if (refusal === 403)
      return reply.code(403).send({ message: 'Access Denied' } satisfies ErrorBody);
  };
}
