/**
 * The HTTP API (SPEC §5, §6): Fastify with TypeBox route schemas, one module per route family.
 *
 *   const app = await buildApp({ store, logger: pino() });
 *   await app.listen({ port: 3000 });
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import type { Store } from '../store/store.js';
import { Authenticator } from './auth.js';
import type { RouteDeps } from './context.js';
import { SeriesCache } from './series-cache.js';
import { formatSchemaErrors, handleError, handleNotFound } from './errors.js';
import { createGuard } from './guard.js';
import { answerUnmetExpectations, HTTP_SERVER_OPTIONS, requireHost } from './protocol-errors.js';
import { apiLogger, RequestLogController } from './logging.js';
import {
  MemoryRateLimiter,
  resolveRateLimits,
  type RateLimiter,
  type RateLimits,
} from './rate-limit.js';
import { registerOpenApi } from './openapi.js';
import { registerDashboard } from './dashboard.js';
import { workspaceRoutes } from './routes/workspace.js';
import { campaignCatalogRoutes } from './routes/campaign-catalog.js';
import { campaignsRoutes } from './routes/campaigns.js';
import { TallyMetrics } from './metrics.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoute } from './routes/metrics.js';
import { eventsRoutes } from './routes/events.js';
import { sendIdsRoutes } from './routes/send-ids.js';
import { sendsRoutes } from './routes/sends.js';
import { explainRoutes } from './routes/explain.js';
import { usersTrackRoutes } from './routes/users-track.js';

export interface AppOptions {
  readonly store: Store;
  /** Default: a MemoryRateLimiter (one process). */
  readonly limiter?: RateLimiter;
  /** Overrides of DEFAULT_RATE_LIMITS, per endpoint family. */
  readonly limits?: Partial<RateLimits>;
  /** A pino logger for one line per request; absent or false: no logging. */
  readonly logger?: Logger | false;
  /** The clock (epoch ms) for rate-limit windows and the default `ending_at`; tests inject one. */
  readonly now?: () => number;
  /**
   * Serve Prometheus metrics at GET /metrics (metrics.ts); `token`: only
   * `Authorization: Bearer <token>` may read them. Absent or null: no /metrics.
   */
  readonly metrics?: { readonly token: string | null; readonly instance?: TallyMetrics } | null;
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const now = options.now ?? Date.now;
  const metrics = options.metrics
    ? (options.metrics.instance ?? new TallyMetrics(options.store))
    : null;
  const store = metrics ? metrics.instrument(options.store) : options.store;
  const limits = resolveRateLimits(options.limits);
  const limiter = options.limiter ?? new MemoryRateLimiter();
  // A disabled pino rather than `logger: false`, so the instance has one logger type either way.
  const loggerInstance: FastifyBaseLogger = apiLogger(options.logger || pino({ enabled: false }));
  const app = Fastify({
    loggerInstance,
    // Without a logger, no request line is even built (redacting URLs costs ~1% at full load).
    logController: options.logger
      ? new RequestLogController()
      : new LogController({ disableRequestLogging: true }),
    schemaErrorFormatter: formatSchemaErrors,
    // verbose: errors carry their schema, so messages say "an integer from 1 to 100".
    ajv: { customOptions: { verbose: true } },
    http: HTTP_SERVER_OPTIONS,
  });
  answerUnmetExpectations(app);

  app.decorateRequest('grant', null);
  app.addHook('onRequest', requireHost);
  app.addHook(
    'onRequest',
    createGuard({
      authenticator: new Authenticator(store, now),
      limiter,
      ...(metrics ? { onRefused: (family: string) => metrics.rateLimited.inc({ family }) } : {}),
      limits,
      now,
    }),
  );
  app.setErrorHandler(handleError);
  app.setNotFoundHandler(handleNotFound);

  await registerOpenApi(app);
  const seriesCache = new SeriesCache((hit) =>
    metrics?.seriesCache.inc({ result: hit ? 'hit' : 'miss' }),
  );
  const deps: RouteDeps = { store, limiter, seriesCache, now, metrics };
  if (metrics) {
    app.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url ?? 'unknown';
      metrics.requests.observe(
        { route, method: request.method, status: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
    });
    await app.register(async (scope) => metricsRoute(scope, metrics, options.metrics!.token));
  }
  await app.register(async (scope) =>
    healthRoutes(scope.withTypeProvider<TypeBoxTypeProvider>(), deps),
  );
  await app.register(async (scope) =>
    eventsRoutes(scope.withTypeProvider<TypeBoxTypeProvider>(), deps),
  );
  await app.register(async (scope) =>
    campaignsRoutes(scope.withTypeProvider<TypeBoxTypeProvider>(), deps),
  );
  await app.register(async (scope) =>
    sendsRoutes(scope.withTypeProvider<TypeBoxTypeProvider>(), deps),
  );
  await app.register(async (scope) =>
    explainRoutes(scope.withTypeProvider<TypeBoxTypeProvider>(), deps),
  );
  await app.register(async (scope) =>
    campaignCatalogRoutes(scope.withTypeProvider<TypeBoxTypeProvider>(), deps),
  );
  await app.register(async (scope) =>
    sendIdsRoutes(scope.withTypeProvider<TypeBoxTypeProvider>(), deps),
  );
  await app.register(async (scope) =>
    usersTrackRoutes(scope.withTypeProvider<TypeBoxTypeProvider>(), deps),
  );
  await app.register(async (scope) =>
    workspaceRoutes(scope.withTypeProvider<TypeBoxTypeProvider>(), deps),
  );
  await registerDashboard(app);
  await app.ready();
  return app;
}
