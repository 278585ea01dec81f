/**
 * `npm run bench -- --store clickhouse`: the ClickHouse store on one local node, started for
 * the run (test/support/services.ts; Debian's clickhouse-server, see scripts/services.sh).
 *
 * - ingest: NDJSON batches over HTTP into a child `tally` API process on ClickHouse, beside the
 *   ceiling: raw INSERTs of the same rows (same batches, same two in flight) into a plain
 *   MergeTree table of the same node, in the same run; the server's RSS is sampled as it goes.
 * - series: `/campaigns/data_series` length=100 on a campaign of `seriesEvents` events, p50/p99
 *   through the real Fastify app (`inject`). The ClickHouse store has no change stamp, so every
 *   answer is computed anew by the server: "cold" (a different range each time) and repeated
 *   requests both measure the query.
 */
import { buildApp } from '../src/api/app.js';
import { createApiKey } from '../src/api/keys.js';
import { openClickHouseStore } from '../src/store/clickhouse/clickhouse-store.js';
import { ClickHouseHttp } from '../src/store/clickhouse/http.js';
import { startClickHouse } from '../test/support/services.js';
import { startChild } from './child.js';
import { seriesLatency } from './latency.js';
import { BATCH_SIZE, ingestOverHttp, measureServerIngest, type IngestFigures } from './ingest.js';
import type { SeriesFigures, SeriesHttpFigures } from './series.js';
import { BENCH_CAMPAIGN_ID, syntheticBatches, type SyntheticOptions } from './synthetic.js';

const LATENCY_SAMPLES = 300;
const COLD_SAMPLES = 200;

export type ClickHouseSeriesFigures = Omit<SeriesFigures, keyof SeriesHttpFigures>;

export interface ClickHouseFigures {
  readonly ingest?: IngestFigures;
  readonly series?: ClickHouseSeriesFigures;
}

/** A database with a workspace and a key; returns the key. */
async function prepareWorkspace(url: string, database: string): Promise<string> {
  const store = await openClickHouseStore({ url, database });
  const workspace = await store.createWorkspace('bench', 'UTC');
  const key = await createApiKey(store, workspace.id, ['events.write', 'campaigns.data_series']);
  await store.close();
  return key;
}

/** The ceiling: the same rows as plain INSERTs into a MergeTree table (no dedup, no metrics). */
async function rawInsertsPerSecond(url: string, options: SyntheticOptions): Promise<number> {
  const db = new ClickHouseHttp(url, {});
  await db.exec('CREATE DATABASE IF NOT EXISTS bench_raw');
  await db.exec(`CREATE TABLE IF NOT EXISTS bench_raw.events (workspace String, id String,
    event_type String, instant_ms Int64, user_key String, campaign_id String,
    variation_id String, payload String)
    ENGINE = MergeTree() ORDER BY (workspace, campaign_id, user_key, id)`);
  const started = performance.now();
  const inFlight = new Set<Promise<void>>();
  for (const batch of syntheticBatches(options, BATCH_SIZE)) {
    const rows = batch.map((e) => ({
      workspace: 'w',
      id: e.id,
      event_type: e.event_type,
      instant_ms: Number(e.time) * 1000,
      user_key: e.external_user_id,
      campaign_id: e.campaign_id,
      variation_id: e.message_variation_id,
      payload: JSON.stringify(e),
    }));
    const request = db.insert('bench_raw.events', rows).then(() => {
      inFlight.delete(request);
    });
    inFlight.add(request);
    if (inFlight.size >= 2) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  return (options.count / (performance.now() - started)) * 1000;
}

async function ingestFigures(url: string, events: number): Promise<IngestFigures> {
  const options: SyntheticOptions = { count: events, days: 90, endMs: Date.now() };
  const key = await prepareWorkspace(url, 'bench_ingest');
  const server = await startChild('./server.js', ['--clickhouse', url, 'bench_ingest']);
  try {
    return {
      events,
      ...(await measureServerIngest(server, key, options)),
      rawInsertsPerSecond: await rawInsertsPerSecond(url, options),
    };
  } finally {
    await server.stop();
  }
}

async function seriesFigures(url: string, events: number): Promise<ClickHouseSeriesFigures> {
  const endMs = Date.now();
  const key = await prepareWorkspace(url, 'bench_series');
  const loader = await startChild('./server.js', ['--clickhouse', url, 'bench_series']);
  try {
    await ingestOverHttp(loader.port, key, { count: events, days: 90, endMs }, () => {});
  } finally {
    await loader.stop();
  }
  const path = `/campaigns/data_series?campaign_id=${BENCH_CAMPAIGN_ID}&length=100`;
  const store = await openClickHouseStore({ url, database: 'bench_series' });
  const app = await buildApp({ store, logger: false });
  try {
    return {
      events,
      ...(await seriesLatency(app, key, path, endMs, {
        cold: COLD_SAMPLES,
        repeated: LATENCY_SAMPLES,
      })),
    };
  } finally {
    await app.close();
    await store.close();
  }
}

/** Starts one ClickHouse node, runs the parts asked for, and stops it. */
export async function benchClickHouse(options: {
  readonly ingestEvents?: number;
  readonly seriesEvents?: number;
}): Promise<ClickHouseFigures> {
  const node = await startClickHouse();
  try {
    const ingest =
      options.ingestEvents !== undefined
        ? await ingestFigures(node.url, options.ingestEvents)
        : undefined;
    const series =
      options.seriesEvents !== undefined
        ? await seriesFigures(node.url, options.seriesEvents)
        : undefined;
    return { ...(ingest ? { ingest } : {}), ...(series ? { series } : {}) };
  } finally {
    await node.stop();
  }
}
