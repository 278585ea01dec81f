/**
 * Serving the API from the CLI (`tally serve`, `tally demo`): listen, log, and shut down cleanly
 * on SIGTERM/SIGINT, or when a wrapper in front of it exits: stop taking requests, let the ones
 * in flight finish (each ingest is already durable when it answers), then close the store so the
 * database is left tidy, all within 10 s.
 */
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import { buildApp } from '../api/app.js';
import type { RateLimits } from '../api/rate-limit.js';
import type { Store } from '../store/store.js';
import type { RedisRateLimiter } from '../api/redis-rate-limiter.js';
import { TallyMetrics } from '../api/metrics.js';
import { CliError, storeEvents } from './common.js';

export interface ListenOptions {
  readonly port: number;
  readonly host: string;
  /** Rate-limit counters in this Redis (shared by every process); default: in memory. */
  readonly redisUrl?: string;
  /** Overrides of the SPEC §6 rate limits (TALLY_RATE_LIMITS). */
  readonly limits?: Partial<RateLimits>;
  /** pino's level name; default info. */
  readonly logLevel?: string;
  /** Serve GET /metrics, readable only with this bearer token when it is not null. */
  readonly metrics?: { readonly token: string | null } | null;
}

export interface RunningServer {
  /** The base URL clients use, e.g. `http://127.0.0.1:3000` (the real port when 0 was asked). */
  readonly url: string;
  readonly logger: Logger;
}

/** Hosts that mean "every interface": clients reach them through the loopback address. */
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);

function urlOf(address: AddressInfo): string {
  const host = WILDCARD_HOSTS.has(address.address) ? '127.0.0.1' : address.address;
  return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
}

/**
 * Serves the API on the store until a signal arrives; the store is closed then (and also when
 * listening fails, so the caller hands it over for good).
 */
export async function serveApi(store: Store, options: ListenOptions): Promise<RunningServer> {
  const logger = pino({ name: 'tally', level: options.logLevel ?? 'info' });
  let limiter: RedisRateLimiter | undefined;
  let app: Awaited<ReturnType<typeof buildApp>>;
  try {
    if (options.redisUrl !== undefined) {
      const redis = await import('../api/redis-rate-limiter.js');
      limiter = new redis.RedisRateLimiter({ url: options.redisUrl });
    }
    const metrics = options.metrics ? new TallyMetrics(store) : null;
    if (metrics) {
      storeEvents.on('error', () => metrics.clickhouse.inc({ event: 'error' }));
      storeEvents.on('retry', () => metrics.clickhouse.inc({ event: 'retry' }));
    }
    app = await buildApp({
      store,
      logger,
      metrics: metrics && { token: options.metrics!.token, instance: metrics },
      ...(limiter ? { limiter } : {}),
      ...(options.limits ? { limits: options.limits } : {}),
    });
  } catch (error) {
    await limiter?.close();
    await store.close();
    throw error instanceof Error && /rate limit/.test(error.message)
      ? new CliError(error.message)
      : error;
  }
  // Ready for a signal before the first request can arrive: one sent as soon as the
  // "listening" line is out must find its handler.
  let closing = false;
  const shutdown = (reason: string): void => {
    if (closing) return;
    closing = true;
    logger.info({ reason }, 'shutting down');
    // Within 10 s, as orchestrators expect: a request still running then is cut off.
    setTimeout(() => {
      logger.error('requests still running after 9 s; exiting without them');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    app
      .close() // stops accepting, answers 503 to new requests, waits for those in flight
      .then(() => limiter?.close())
      .then(() => store.close()) // the last commits are durable; checkpoint and close the file
      .then(
        () => logger.info('stopped'),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exitCode = 1;
        },
      );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  stopWithParent(() => shutdown('parent process exited'));
  try {
    await app.listen({ port: options.port, host: options.host });
  } catch (error) {
    await app.close();
    await limiter?.close();
    await store.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new CliError(`port ${options.port} is already in use: choose another with --port`);
    }
    throw new CliError(`cannot listen on ${options.host}:${options.port}: ${String(error)}`);
  }
  // Fastify has logged "Server listening at ..." already.
  const url = urlOf(app.server.address() as AddressInfo);

  return { url, logger };
}

const SHUTDOWN_DEADLINE_MS = 9_000;

/**
 * `npx tally serve` (and `npm exec`, or a shell that does not exec its last command) runs this
 * process under a wrapper that exits on SIGTERM without passing the signal on: the server
 * would be left running, holding its port. When the parent process goes away, this process is
 * re-parented (its ppid changes), and it shuts down as if it had been sent SIGTERM.
 */
function stopWithParent(stop: () => void): void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(timer);
      stop();
    }
  }, 250);
  timer.unref();
}
