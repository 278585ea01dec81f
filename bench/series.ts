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
import { ingestOverHttp, prepareWorkspace } from './ingest.js';
import { BENCH_CAMPAIGN_ID } from './synthetic.js';

export interface SeriesFigures {
  readonly events: number;
  /** Every request a different range, so no answer can be reused (series-cache.ts). */
  readonly coldP50Ms: number;
  readonly coldP99Ms: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requestsPerSecond: number;
  readonly constantRequestsPerSecond: number;
}

const LATENCY_SAMPLES = 2_000;
const COLD_SAMPLES = 500;
const DAY_MS = 86_400_000;
const LOAD_SECONDS = 10;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

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
    const timeRequests = async (urls: readonly string[]): Promise<number[]> => {
      const latencies: number[] = [];
      for (const url of urls) {
        const started = performance.now();
        const answer = await app.inject({ url, headers: { authorization: `Bearer ${key}` } });
        latencies.push(performance.now() - started);
        if (answer.statusCode !== 200) throw new Error(`data_series answered ${answer.statusCode}`);
      }
      return latencies.sort((a, b) => a - b);
    };
    // Ranges ending on each of the last 500 days: each a distinct answer, rendered anew.
    const cold = await timeRequests(
      Array.from({ length: COLD_SAMPLES }, (_, i) => {
        const endingAt = new Date(endMs - i * DAY_MS).toISOString().slice(0, 10);
        return `${path}&ending_at=${endingAt}`;
      }),
    );
    const latencies = await timeRequests(Array.from({ length: LATENCY_SAMPLES }, () => path));
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
      coldP50Ms: percentile(cold, 50),
      coldP99Ms: percentile(cold, 99),
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      requestsPerSecond: product,
      constantRequestsPerSecond: ceiling,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
