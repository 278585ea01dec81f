/**
 * `npm run bench -- --store clickhouse`: the ClickHouse store on one local node, started for
 * the run (test/support/services.ts; Debian's clickhouse-server, see scripts/services.sh).
 *
 * - ingest: NDJSON batches over HTTP into a child `tally` API process on ClickHouse (its RSS
 *   sampled as it goes), beside raw INSERTs of the store's own `events` rows for the same
 *   events into a copy of its table without the views: in the API's batch size, and in
 *   batches of 100,000 — the ceiling, what this ClickHouse takes in at best. Their bodies are
 *   written before the clock starts, so the ceiling measures ClickHouse, not the load generator.
 * - series: `/campaigns/data_series` length=100 on one campaign of `seriesEvents` events, then
 *   of ten times as many, through the real Fastify app (`inject`). The campaign defines
 *   conversion behaviors and a tenth of its events are behaviors within their windows. The events are loaded in
 *   process through the store's own ingest (Store.ingest, the same tables, views and touches
 *   as over HTTP) in large batches, which is several times faster than HTTP. The first answer
 *   after a load computes every day (day-figures.ts); then "cold" asks for a different range
 *   each time (the API cannot reuse an answer: the store has no change stamp) and "repeated"
 *   the same one, both as clients see the endpoint and without conversions (countedOnly).
 */
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/api/app.js';
import { createApiKey } from '../src/api/keys.js';
import type { NormalizedEvent } from '../src/domain/event.js';
import { normalizeEvent } from '../src/ingest/currents.js';
import {
  clickHouseSettings,
  openClickHouseStore,
} from '../src/store/clickhouse/clickhouse-store.js';
import { ClickHouseHttp, toTabSeparated } from '../src/store/clickhouse/http.js';
import { eventRow } from '../src/store/clickhouse/ingest.js';
import { SeriesQueries } from '../src/store/clickhouse/series.js';
import type { DayRange, Store } from '../src/store/store.js';
import { startClickHouse } from '../test/support/services.js';
import { startChild } from './child.js';
import { BATCH_SIZE, measureServerIngest, type ServerIngestFigures } from './ingest.js';
import { seriesLatency, type LatencyFigures } from './latency.js';
import {
  BENCH_CAMPAIGN_DEFINITION,
  BENCH_CAMPAIGN_ID,
  syntheticBatches,
  type SyntheticOptions,
} from './synthetic.js';

const LATENCY_SAMPLES = 300;
const COLD_SAMPLES = 200;
/** The endpoint's samples take about this long at most, and are at least MIN_SAMPLES. */
const SAMPLING_MS = 90_000;
const MIN_SAMPLES = 20;
/** Raw INSERTs keep this many events' bodies in memory, so they use at most this many. */
const RAW_SAMPLE = 500_000;
const RAW_CEILING_BATCH = 100_000;
/** In-process loads: batches this large. */
export const LOAD_BATCH = 50_000;
const DAYS = 90;
/** The series campaign converts: this share of its events are purchases and custom events. */
const SERIES_BEHAVIOR_SHARE = 0.1;

export interface ClickHouseIngestFigures extends ServerIngestFigures {
  readonly events: number;
  readonly rawEvents: number;
  /** Raw INSERTs in the API's batch size. */
  readonly rawSameBatchPerSecond: number;
  /** Raw INSERTs in batches of RAW_CEILING_BATCH. */
  readonly rawCeilingPerSecond: number;
}

export interface ClickHouseSeriesFigures {
  readonly events: number;
  /** The first answer after the load, which computes every day of the range. */
  readonly firstAnswerMs: number;
  /** Requests of each kind (cold, repeated) that `endpoint` timed. */
  readonly samples: number;
  /** The endpoint as clients see it. */
  readonly endpoint: LatencyFigures;
  /** The endpoint without conversions and revenue (countedOnly). */
  readonly counted: LatencyFigures;
}

export interface ClickHouseFigures {
  readonly ingest?: ClickHouseIngestFigures;
  readonly series?: {
    /** Events per second of the in-process loads through Store.ingest. */
    readonly loadPerSecond: number;
    readonly sizes: readonly ClickHouseSeriesFigures[];
  };
}

function normalized(batch: readonly Record<string, unknown>[]): NormalizedEvent[] {
  return batch.map((raw) => {
    const result = normalizeEvent(raw);
    if (!result.ok) throw new Error(`synthetic event rejected: ${result.reason}`);
    return result.event;
  });
}

/** A database with a workspace and a key; returns the store, the workspace and the key. */
export async function prepareWorkspace(url: string, database: string) {
  const store = await openClickHouseStore({ url, database });
  const workspace = await store.createWorkspace('bench', 'UTC');
  const key = await createApiKey(store, workspace.id, ['events.write', 'campaigns.data_series']);
  return { store, workspaceId: workspace.id, key };
}

/** Runs requests from an iterable, two at a time (as the HTTP benchmark); returns the ms. */
async function timed(requests: Iterable<() => Promise<void>>): Promise<number> {
  const started = performance.now();
  const running = new Set<Promise<void>>();
  for (const request of requests) {
    const promise = request().then(() => {
      running.delete(promise);
    });
    running.add(promise);
    if (running.size >= 2) await Promise.race(running);
  }
  await Promise.all(running);
  return performance.now() - started;
}

/**
 * Raw INSERTs of the store's `events` rows for `batches` (into a copy of `like`, the store's
 * events table: no views, no dedup), two in flight.
 */
export async function rawClickHouseInsertsPerSecond(
  url: string,
  like: string,
  batches: Iterable<readonly Record<string, unknown>[]>,
): Promise<number> {
  const db = new ClickHouseHttp(url, {});
  await db.exec('CREATE DATABASE IF NOT EXISTS bench_raw');
  await db.exec('DROP TABLE IF EXISTS bench_raw.events');
  await db.exec(`CREATE TABLE bench_raw.events AS ${like}`);
  const bodies: { columns: string[]; body: string }[] = [];
  let count = 0;
  for (const batch of batches) {
    const rows = normalized(batch).map((event) => eventRow('w', event, 0));
    count += rows.length;
    const columns = Object.keys(rows[0]!);
    bodies.push({ columns, body: toTabSeparated(columns, rows) });
  }
  const ms = await timed(
    bodies.map(
      ({ columns, body }) =>
        () =>
          db.insertTabSeparated('bench_raw.events', columns, body),
    ),
  );
  return (count / ms) * 1000;
}

async function ingestFigures(url: string, events: number): Promise<ClickHouseIngestFigures> {
  const options: SyntheticOptions = { count: events, days: DAYS, endMs: Date.now() };
  const { store, key } = await prepareWorkspace(url, 'bench_ingest');
  await store.close();
  const server = await startChild('./server.js', ['--clickhouse', url, 'bench_ingest']);
  let figures: ServerIngestFigures;
  try {
    figures = await measureServerIngest(server, key, options);
  } finally {
    await server.stop();
  }
  const raw = { ...options, count: Math.min(events, RAW_SAMPLE) };
  return {
    events,
    ...figures,
    rawEvents: raw.count,
    rawSameBatchPerSecond: await rawClickHouseInsertsPerSecond(
      url,
      'bench_ingest.events',
      syntheticBatches(raw, BATCH_SIZE),
    ),
    rawCeilingPerSecond: await rawClickHouseInsertsPerSecond(
      url,
      'bench_ingest.events',
      syntheticBatches(raw, RAW_CEILING_BATCH),
    ),
  };
}

/** Loads synthetic events through Store.ingest in process; returns the ms it took. */
export async function loadInProcess(
  store: Store,
  workspaceId: string,
  options: SyntheticOptions,
): Promise<number> {
  const batches = (function* () {
    for (const batch of syntheticBatches(options, LOAD_BATCH)) {
      const events = normalized(batch);
      yield async () => {
        const outcome = await store.ingest(workspaceId, events);
        if (outcome.accepted !== events.length) {
          throw new Error(`ingest accepted ${outcome.accepted} of ${events.length}`);
        }
      };
    }
  })();
  return timed(batches);
}

/**
 * The store answering campaign series with its counted cells only, without conversions and
 * revenue (conversion-figures.ts): what the rollups and computed days cost.
 */
function countedOnly(store: Store, series: SeriesQueries): Store {
  return Object.assign(Object.create(store) as Store, {
    async campaignSeries(workspaceId: string, campaignId: string, days: DayRange) {
      const workspace = await store.getWorkspace(workspaceId);
      return series.campaignSeries(workspaceId, campaignId, workspace!.timezone, days);
    },
  });
}

/** Answers `path` a few times; returns the median ms of one answer. */
async function medianAnswerMs(app: FastifyInstance, path: string, key: string) {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    await app.inject({ url: path, headers: { authorization: `Bearer ${key}` } });
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[2]!;
}

async function seriesFigures(
  url: string,
  sizes: readonly number[],
): Promise<NonNullable<ClickHouseFigures['series']>> {
  const endMs = Date.now();
  const database = 'bench_series';
  const { store, workspaceId, key } = await prepareWorkspace(url, database);
  await store.defineCampaign(workspaceId, BENCH_CAMPAIGN_DEFINITION);
  const series = new SeriesQueries(new ClickHouseHttp(url, clickHouseSettings(database)));
  const app = await buildApp({ store, logger: false });
  const counted = await buildApp({ store: countedOnly(store, series), logger: false });
  const path = `/campaigns/data_series?campaign_id=${BENCH_CAMPAIGN_ID}&length=100`;
  const results: ClickHouseSeriesFigures[] = [];
  let loaded = 0;
  let loadMs = 0;
  try {
    for (const size of sizes) {
      // Each load adds to the same campaign, with its own ids and random stream.
      loadMs += await loadInProcess(store, workspaceId, {
        count: size - loaded,
        days: DAYS,
        endMs,
        seed: results.length + 1,
        idPrefix: `s${results.length}-`,
        behaviorShare: SERIES_BEHAVIOR_SHARE,
      });
      loaded = size;
      const started = performance.now();
      const first = await app.inject({ url: path, headers: { authorization: `Bearer ${key}` } });
      if (first.statusCode !== 200) throw new Error(`data_series answered ${first.statusCode}`);
      const firstAnswerMs = performance.now() - started;
      // Fewer samples when answers are slow, so that the run keeps to its time.
      const samples = Math.max(
        MIN_SAMPLES,
        Math.min(LATENCY_SAMPLES, Math.floor(SAMPLING_MS / (await medianAnswerMs(app, path, key)))),
      );
      results.push({
        events: size,
        firstAnswerMs,
        samples,
        endpoint: await seriesLatency(app, key, path, endMs, { cold: samples, repeated: samples }),
        counted: await seriesLatency(counted, key, path, endMs, {
          cold: COLD_SAMPLES,
          repeated: LATENCY_SAMPLES,
        }),
      });
    }
  } finally {
    await Promise.all([app.close(), counted.close()]);
    await store.close();
  }
  return { loadPerSecond: (loaded / loadMs) * 1000, sizes: results };
}

/** Starts one ClickHouse node, runs the parts asked for, and stops it. */
export async function benchClickHouse(options: {
  readonly ingestEvents?: number;
  readonly seriesSizes?: readonly number[];
}): Promise<ClickHouseFigures> {
  const node = await startClickHouse();
  try {
    const ingest =
      options.ingestEvents !== undefined
        ? await ingestFigures(node.url, options.ingestEvents)
        : undefined;
    const series =
      options.seriesSizes !== undefined
        ? await seriesFigures(node.url, options.seriesSizes)
        : undefined;
    return { ...(ingest ? { ingest } : {}), ...(series ? { series } : {}) };
  } finally {
    await node.stop();
  }
}
