/**
 * `tally serve`: the REST API on the chosen store (embedded by default, or ClickHouse), with
 * the rate limiter in memory or, with `--redis-url`, in Redis shared by every API process. The API (Fastify and every route) is
 * imported only when a command serves, so the other commands start in a fraction of the time.
 */
import { Option, type Command } from 'commander';
import { resolveRateLimits, type RateLimits } from '../../api/rate-limit.js';
import {
  CliError,
  openStore,
  parsePort,
  storeOptions,
  withStoreOptions,
  type StoreFlags,
} from '../common.js';

export const DEFAULT_PORT = 3000;
export const DEFAULT_HOST = '127.0.0.1';

/** `--port` and `--host`, shared with `tally demo`. */
export function listenOptions(): Option[] {
  return [
    new Option('--port <port>', 'TCP port (0: any free port)')
      .argParser(parsePort)
      .default(DEFAULT_PORT)
      .env('TALLY_PORT'),
    new Option('--host <host>', 'interface to listen on (0.0.0.0: every interface)')
      .default(DEFAULT_HOST)
      .env('TALLY_HOST'),
  ];
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

interface ServeFlags extends StoreFlags {
  readonly port: number;
  readonly host: string;
  readonly redisUrl?: string;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  readonly metrics: boolean;
  readonly metricsToken?: string;
}

/** Logging and /metrics, shared with `tally demo`. */
export function operationOptions(): Option[] {
  return [
    new Option('--log-level <level>', 'the least severe log lines written')
      .choices(LOG_LEVELS)
      .default('info')
      .env('TALLY_LOG_LEVEL'),
    new Option('--no-metrics', 'do not serve GET /metrics (Prometheus)').env('TALLY_NO_METRICS'),
    new Option(
      '--metrics-token <token>',
      'only "Authorization: Bearer <token>" may read /metrics (default: anyone who reaches the port)',
    ).env('TALLY_METRICS_TOKEN'),
  ];
}

/** The environment variable that overrides rate limits (docs/deploy.md). */
export const RATE_LIMITS_ENV = 'TALLY_RATE_LIMITS';

/**
 * TALLY_RATE_LIMITS: JSON overrides of the SPEC §6 limits per family, e.g.
 * `{"dataSeries":{"limit":100,"windowMs":60000}}` (families: dataSeries, sendIdCreate, default).
 */
export function rateLimitsFromEnv(text: string | undefined): Partial<RateLimits> | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CliError(`${RATE_LIMITS_ENV} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CliError(
      `${RATE_LIMITS_ENV} must be a JSON object such as {"dataSeries":{"limit":100,"windowMs":60000}}`,
    );
  }
  const families = ['dataSeries', 'sendIdCreate', 'default'];
  const unknown = Object.keys(parsed).filter((family) => !families.includes(family));
  if (unknown.length > 0) {
    throw new CliError(
      `${RATE_LIMITS_ENV}: unknown family ${unknown.join(', ')} (known: ${families.join(', ')})`,
    );
  }
  try {
    resolveRateLimits(parsed as Partial<RateLimits>);
  } catch (error) {
    throw new CliError(`${RATE_LIMITS_ENV}: ${(error as Error).message}`);
  }
  return parsed as Partial<RateLimits>;
}

/** `--redis-url`: with it, the rate-limit windows live in Redis, shared by every process. */
export function redisOption(): Option {
  return new Option(
    '--redis-url <url>',
    'keep rate-limit counters in Redis (redis://host:port), shared by every API process using it; default: in memory',
  ).env('TALLY_REDIS_URL');
}

/** Every environment variable `tally serve` reads (docs/deploy.md lists them all). */
export function serveEnvironment(): string[] {
  const options = [...storeOptions(), ...listenOptions(), redisOption(), ...operationOptions()];
  return [...options.flatMap((option) => option.envVar ?? []), RATE_LIMITS_ENV];
}

export function registerServeCommand(program: Command): void {
  const command = program
    .command('serve')
    .description('serve the REST API (stops cleanly on SIGTERM or Ctrl-C)');
  withStoreOptions(command);
  for (const option of listenOptions()) command.addOption(option);
  command.addOption(redisOption());
  for (const option of operationOptions()) command.addOption(option);
  command.addHelpText(
    'after',
    `\nEvery option can also be set by its environment variable (shown after it; a flag wins).\nEnvironment:\n  ${RATE_LIMITS_ENV}  JSON overrides of the rate limits, e.g. '{"dataSeries":{"limit":100,"windowMs":60000}}'\n                     (families: dataSeries, sendIdCreate, default; docs/deploy.md)`,
  );
  command.action(async (flags: ServeFlags) => {
    const limits = rateLimitsFromEnv(process.env[RATE_LIMITS_ENV]);
    const { serveApi } = await import('../server.js');
    await serveApi(await openStore(flags, true), {
      port: flags.port,
      host: flags.host,
      logLevel: flags.logLevel,
      metrics: flags.metrics ? { token: flags.metricsToken ?? null } : null,
      ...(flags.redisUrl !== undefined ? { redisUrl: flags.redisUrl } : {}),
      ...(limits ? { limits } : {}),
    });
  });
}
