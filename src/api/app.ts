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
import { campaignCatalogRoutes } from './routes/campaign-catalog.js';
import { campaignsRoutes } from './routes/campaigns.js';
import { healthRoutes } from './routes/health.js';
import { eventsRoutes } from './routes/events.js';
import { sendIdsRoutes } from './routes/send-ids.js';
import { sendsRoutes } from './routes/sends.js';
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
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const now = options.now ?? Date.now;
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
      authenticator: new Authenticator(options.store, now),
      limiter,
      limits,
      now,
    }),
  );
  app.setErrorHandler(handleError);
  app.setNotFoundHandler(handleNotFound);

  await registerOpenApi(app);
  const deps: RouteDeps = { store: options.store, limiter, seriesCache: new SeriesCache(), now };
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
    campaignCatalogRoutes(scope.withTypeProvider<TypeBoxTypeProvider>(), deps),
  );
  await app.register(async (scope) =>
    sendIdsRoutes(scope.withTypeProvider<TypeBoxTypeProvider>(), deps),
  );
  await app.register(async (scope) =>
    usersTrackRoutes(scope.withTypeProvider<TypeBoxTypeProvider>(), deps),
  );
  await app.ready();
  return app;
}
