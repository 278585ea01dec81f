/**
 * `/campaigns/data_series` with length=100 on a campaign of 1,000,000 events: latency in process
 * (p50/p99 through the real Fastify app with `inject`), then requests/s over HTTP with autocannon
 * beside the ceiling of bare Fastify answering a constant JSON.
 */
import autocannon from 'autocannon';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../src/api/app.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { startChild } from './child.js';
import { seriesLatency, type LatencyFigures } from './latency.js';
import { ingestOverHttp, prepareWorkspace } from './ingest.js';
import { BENCH_CAMPAIGN_ID } from './synthetic.js';

export interface SeriesFigures extends LatencyFigures {
  readonly events: number;
  readonly requestsPerSecond: number;
  readonly constantRequestsPerSecond: number;
}

const LATENCY_SAMPLES = 2_000;
const COLD_SAMPLES = 500;
const LOAD_SECONDS = 10;

async function requestsPerSecond(url: string, key?: string): Promise<number> {
  const result = await autocannon({
    url,
    connections: 10,
    duration: LOAD_SECONDS,
    headers: key ? { authorization: `Bearer ${key}` } : {},
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx answers and ${result.errors} errors`);
  }
  return result.requests.average;
}

export async function benchSeries(events: number): Promise<SeriesFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'tally-bench-series-'));
  const dataDir = join(dir, 'data');
  try {
    const endMs = Date.now();
    const key = await prepareWorkspace(dataDir);
    const loader = await startChild('./server.js', [dataDir]);
    await ingestOverHttp(loader.port, key, { count: events, days: 90, endMs }, () => {});
    await loader.stop();

    const path = `/campaigns/data_series?campaign_id=${BENCH_CAMPAIGN_ID}&length=100`;
    const store = await openSqliteStore({ dataDir });
    const app = await buildApp({ store, logger: false });
    const latency = await seriesLatency(app, key, path, endMs, {
      cold: COLD_SAMPLES,
      repeated: LATENCY_SAMPLES,
    });
    await app.close();
    await store.close();

    const server = await startChild('./server.js', [dataDir]);
    const product = await requestsPerSecond(`http://127.0.0.1:${server.port}${path}`, key);
    await server.stop();
    const constant = await startChild('./constant-server.js', []);
    const ceiling = await requestsPerSecond(`http://127.0.0.1:${constant.port}/constant`);
    await constant.stop();
    return {
      events,
      ...latency,
      requestsPerSecond: product,
      constantRequestsPerSecond: ceiling,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
