/**
 * What every route module shares: the typed Fastify instance, the request's grant, and the
 * per-route permission declared in route config (checked by guard.ts before any body is read).
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import type { Permission } from '../domain/permissions.js';
import type { ApiKeyGrant, Store } from '../store/store.js';
import type { TallyMetrics } from './metrics.js';
import type { RateLimiter } from './rate-limit.js';
import type { SeriesCache } from './series-cache.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller's key, once guard.ts has authenticated it; null on unauthenticated paths. */
    grant: ApiKeyGrant | null;
  }
  interface FastifyContextConfig {
    /** The permission a key needs for this route (SPEC §6); routes without one are public. */
    permission?: Permission;
    /** The body types the route accepts, for the 415 message; default application/json. */
    accepts?: string;
    /** Any valid key may call the route, whatever its permissions (GET /workspace). */
    anyKey?: boolean;
    /** A probe (health.ts): no key, no rate limit, so an orchestrator can always ask. */
    probe?: boolean;
  }
}

export type TallyInstance = FastifyInstance<
  Server,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export interface RouteDeps {
  readonly store: Store;
  readonly limiter: RateLimiter;
  readonly seriesCache: SeriesCache;
  /** Present when the app serves /metrics. */
  readonly metrics: TallyMetrics | null;
  readonly now: () => number;
}

/** The workspace of an authenticated request; a route with a permission always has one. */
export function workspaceOf(request: FastifyRequest): string {
  if (!request.grant) throw new Error(`route ${request.routeOptions.url} ran without a grant`);
  return request.grant.workspaceId;
}
