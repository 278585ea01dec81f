/**
 * What the commands share: the store options (`--data`, or `--store clickhouse` and its
 * server), opening that store, and errors meant for the user (CliError: printed as
 * `tally: <message>` on stderr, exit code 1, no stack).
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { CONNECTION_DEFAULTS, type ClickHouseConnection } from '../store/clickhouse/connection.js';
import { isValidTimeZone } from '../domain/time.js';
import type { RederiveProgress, Store, Workspace } from '../store/store.js';

export class CliError extends Error {}

export const DEFAULT_DATA_DIR = './tally-data';

export function dataDirOption(): Option {
  return new Option('--data <dir>', 'folder of the embedded database')
    .default(DEFAULT_DATA_DIR)
    .env('TALLY_DATA');
}

/** A whole number of milliseconds from 1 to 86,400,000 (a day). */
const parseMs = (text: string): number => integerIn(1, 86_400_000)(text);

export const STORE_KINDS = ['sqlite', 'clickhouse'] as const;

/** The flags of storeOptions(), as commander hands them to an action. */
export interface StoreFlags {
  readonly data: string;
  readonly store: (typeof STORE_KINDS)[number];
  readonly clickhouseUrl?: string;
  readonly clickhouseDatabase?: string;
  readonly clickhouseCluster?: string;
  readonly clickhouseNodes?: string;
  readonly clickhouseUser?: string;
  readonly clickhousePassword?: string;
  readonly clickhouseCaFile?: string;
  readonly clickhouseConnectTimeoutMs?: number;
  readonly clickhouseQueryTimeoutMs?: number;
  readonly clickhouseRetries?: number;
}

/**
 * The options that choose the store, the same on every command that opens one: the embedded
 * store in `--data` (default), or `--store clickhouse` on the server at `--clickhouse-url`.
 */
export function storeOptions(): Option[] {
  return [
    dataDirOption(),
    new Option('--store <kind>', 'where events are kept')
      .choices(STORE_KINDS)
      .default('sqlite')
      .env('TALLY_STORE'),
    new Option(
      '--clickhouse-url <url>',
      'with --store clickhouse: HTTP(S) endpoint of the server queries go to (any node of a cluster)',
    ).env('TALLY_CLICKHOUSE_URL'),
    new Option('--clickhouse-database <db>', 'with --store clickhouse: database name')
      .default('tally')
      .env('TALLY_CLICKHOUSE_DATABASE'),
    new Option(
      '--clickhouse-cluster <name>',
      "with --store clickhouse: a sharded cluster's name in remote_servers (needs --clickhouse-nodes)",
    ).env('TALLY_CLICKHOUSE_CLUSTER'),
    new Option(
      '--clickhouse-nodes <urls>',
      'with --clickhouse-cluster: comma-separated HTTP endpoints of every shard, where tables are created',
    ).env('TALLY_CLICKHOUSE_NODES'),
    new Option(
      '--clickhouse-user <name>',
      "ClickHouse user (default: the server's default user)",
    ).env('TALLY_CLICKHOUSE_USER'),
    new Option(
      '--clickhouse-password <password>',
      'password of --clickhouse-user (prefer the variable: a flag shows in the process list)',
    ).env('TALLY_CLICKHOUSE_PASSWORD'),
    new Option(
      '--clickhouse-ca-file <pem>',
      'CA certificates (PEM) trusted for an https:// ClickHouse URL, in place of the system ones',
    ).env('TALLY_CLICKHOUSE_CA_FILE'),
    new Option('--clickhouse-connect-timeout-ms <ms>', 'give up connecting after this long')
      .argParser(parseMs)
      .default(CONNECTION_DEFAULTS.connectTimeoutMs)
      .env('TALLY_CLICKHOUSE_CONNECT_TIMEOUT_MS'),
    new Option('--clickhouse-query-timeout-ms <ms>', 'give up on a query after this long')
      .argParser(parseMs)
      .default(CONNECTION_DEFAULTS.queryTimeoutMs)
      .env('TALLY_CLICKHOUSE_QUERY_TIMEOUT_MS'),
    new Option(
      '--clickhouse-retries <n>',
      'tries again of a read that could not reach ClickHouse (with backoff)',
    )
      .argParser(integerIn(0, 10))
      .default(CONNECTION_DEFAULTS.retries)
      .env('TALLY_CLICKHOUSE_RETRIES'),
  ];
}

/** The connection settings the flags give (http.ts); the CA file is read here, once. */
function clickHouseConnection(flags: StoreFlags): ClickHouseConnection {
  let ca: Buffer | undefined;
  if (flags.clickhouseCaFile !== undefined) {
    try {
      ca = readFileSync(flags.clickhouseCaFile);
    } catch (error) {
      throw new CliError(
        `cannot read --clickhouse-ca-file ${flags.clickhouseCaFile}: ${(error as Error).message}`,
      );
    }
  }
  return {
    ...(flags.clickhouseUser !== undefined ? { user: flags.clickhouseUser } : {}),
    ...(flags.clickhousePassword !== undefined ? { password: flags.clickhousePassword } : {}),
    ...(ca !== undefined ? { ca } : {}),
    ...(flags.clickhouseConnectTimeoutMs !== undefined
      ? { connectTimeoutMs: flags.clickhouseConnectTimeoutMs }
      : {}),
    ...(flags.clickhouseQueryTimeoutMs !== undefined
      ? { queryTimeoutMs: flags.clickhouseQueryTimeoutMs }
      : {}),
    ...(flags.clickhouseRetries !== undefined ? { retries: flags.clickhouseRetries } : {}),
    onEvent: (event) => storeEvents.emit(event),
  };
}

/** ClickHouse request errors and retries of this process, for /metrics (api/metrics.ts). */
export const storeEvents = new EventEmitter<{ error: []; retry: [] }>();

/** Adds storeOptions() to a command, for chaining. */
export function withStoreOptions(command: Command): Command {
  for (const option of storeOptions()) command.addOption(option);
  return command;
}

/** "the data folder ./tally-data" or "ClickHouse database tally at http://…", for messages. */
export function describeStore(flags: StoreFlags): string {
  return flags.store === 'clickhouse'
    ? `ClickHouse database ${flags.clickhouseDatabase ?? 'tally'} at ${flags.clickhouseUrl ?? '?'}`
    : `the data folder ${flags.data}`;
}

/**
 * Opens the store the flags choose (the ClickHouse schema is created or migrated on open).
 * `ingesting`: the command writes much (serve, demo, import), so the embedded store checkpoints
 * its WAL on a worker thread.
 */
export async function openStore(flags: StoreFlags, ingesting = false): Promise<Store> {
  const onRederive = rederiveProgressLine();
  if (flags.store !== 'clickhouse') {
    const { openSqliteStore } = await import('../store/sqlite/sqlite-store.js');
    return openSqliteStore({ dataDir: flags.data, backgroundCheckpoints: ingesting, onRederive });
  }
  const url = flags.clickhouseUrl;
  if (!url) {
    throw new CliError(
      '--store clickhouse needs --clickhouse-url URL (e.g. http://127.0.0.1:8123)',
    );
  }
  if ((flags.clickhouseCluster === undefined) !== (flags.clickhouseNodes === undefined)) {
    throw new CliError(
      '--clickhouse-cluster and --clickhouse-nodes go together: give both or neither',
    );
  }
  const nodes = (flags.clickhouseNodes ?? '')
    .split(',')
    .map((node) => node.trim())
    .filter((node) => node !== '');
  if (flags.clickhouseCluster !== undefined && nodes.length === 0) {
    throw new CliError('--clickhouse-nodes lists no node URL');
  }
  const { openClickHouseStore } = await import('../store/clickhouse/clickhouse-store.js');
  try {
    return await openClickHouseStore({
      url,
      onRederive,
      connection: clickHouseConnection(flags),
      ...(flags.clickhouseDatabase !== undefined ? { database: flags.clickhouseDatabase } : {}),
      ...(flags.clickhouseCluster !== undefined
        ? { cluster: { name: flags.clickhouseCluster, nodes } }
        : {}),
    });
  } catch (error) {
    throw new CliError(`cannot open the ClickHouse store at ${url}: ${(error as Error).message}`);
  }
}

/**
 * Progress of a re-derivation under newer rules (domain/rules-version.ts) as lines on stderr:
 * what is happening and why at the start, then every tenth, then the time it took. Lines, not
 * a redrawn bar, so that a service log shows them too.
 */
export function rederiveProgressLine(
  write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): (progress: RederiveProgress) => void {
  const started = Date.now();
  let lastTenth = -1;
  return ({ rulesVersion, done, total }) => {
    if (total === 0) return; // a new store: nothing to tell
    const count = (n: number) => n.toLocaleString('en-US');
    if (done === 0) {
      write(
        `re-deriving ${count(total)} stored events under counting rules v${rulesVersion} (this Tally counts them differently); safe to interrupt, it resumes on the next start`,
      );
      return;
    }
    const tenth = Math.floor((done / total) * 10);
    if (tenth === lastTenth && done < total) return;
    lastTenth = tenth;
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    write(
      done < total
        ? `re-deriving: ${count(done)} of ${count(total)} events (${seconds} s)`
        : `re-derived ${count(total)} events in ${seconds} s`,
    );
  };
}

/**
 * Runs `use` with the store the flags choose open, and closes it however `use` ends.
 * `ingesting`: as for openStore.
 */
export async function withStore<T>(
  flags: StoreFlags,
  use: (store: Store) => Promise<T>,
  ingesting = false,
): Promise<T> {
  const store = await openStore(flags, ingesting);
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

export async function requireWorkspace(store: Store, name: string): Promise<Workspace> {
  const workspace = await store.findWorkspaceByName(name);
  if (!workspace) {
    throw new CliError(
      `no workspace named ${JSON.stringify(name)} (create it with: tally workspace create ${name})`,
    );
  }
  return workspace;
}

export function requireTimeZone(zone: string): string {
  if (!isValidTimeZone(zone)) {
    throw new CliError(
      `unknown time zone ${JSON.stringify(zone)}: use an IANA name such as UTC, Europe/Berlin or America/New_York`,
    );
  }
  return zone;
}

/** A commander argument parser for whole numbers in [min, max]. */
export function integerIn(min: number, max: number): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    }
    return value;
  };
}

export const parsePort = integerIn(0, 65_535);
