/**
 * `/campaigns/data_series` with length=100 on a campaign of 1,000,000 events: latency in process
 * (p50/p99 through the real Fastify app with `inject`), then requests/s over HTTP with autocannon,
 * gzip-compressed (what real clients ask for) and uncompressed, beside the ceiling of bare
 * Fastify answering a constant small JSON.
 */
import autocannon from 'autocannon';
import { mkdtempSync, rmSync } from 'node:fs';
import { get, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../src/api/app.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { startChild } from './child.js';
import { seriesLatency, type LatencyFigures } from './latency.js';
import { ingestOverHttp, prepareWorkspace } from './ingest.js';
import { BENCH_CAMPAIGN_ID } from './synthetic.js';

/** What is measured over HTTP, against child processes (the ClickHouse run does not). */
export interface SeriesHttpFigures {
  /** With `Accept-Encoding: gzip`, as curl --compressed, Python requests and browsers send. */
  readonly gzipRequestsPerSecond: number;
  /** Without Accept-Encoding. */
  readonly identityRequestsPerSecond: number;
  /** Body bytes of one answer on the wire. */
  readonly gzipAnswerBytes: number;
  readonly identityAnswerBytes: number;
  readonly constantRequestsPerSecond: number;
}

export interface SeriesFigures extends LatencyFigures, SeriesHttpFigures {
  readonly events: number;
}

const LATENCY_SAMPLES = 2_000;
const COLD_SAMPLES = 500;
const LOAD_SECONDS = 10;

async function requestsPerSecond(url: string, headers: Record<string, string>): Promise<number> {
  const result = await autocannon({ url, connections: 10, duration: LOAD_SECONDS, headers });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx answers and ${result.errors} errors`);
  }
  return result.requests.average;
}

/**
 * The body bytes of one answer as sent, after checking that it came in the expected encoding:
 * a benchmark that measured uncompressed answers as compressed ones would be worthless.
 */
async function answerBytes(
  url: string,
  headers: Record<string, string>,
  encoding: 'gzip' | 'identity',
): Promise<number> {
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    get(url, { headers }, resolve).on('error', reject);
  });
  const sent = response.headers['content-encoding'] ?? 'identity';
  let bytes = 0;
  for await (const chunk of response) bytes += (chunk as Buffer).length;
  if (response.statusCode !== 200 || sent !== encoding) {
    throw new Error(`${url}: ${response.statusCode}, ${sent} instead of ${encoding}`);
  }
  return bytes;
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

    const identity = { authorization: `Bearer ${key}` };
    const gzip = { ...identity, 'accept-encoding': 'gzip' };
    const server = await startChild('./server.js', [dataDir]);
    const url = `http://127.0.0.1:${server.port}${path}`;
    const gzipAnswerBytes = await answerBytes(url, gzip, 'gzip');
    const identityAnswerBytes = await answerBytes(url, identity, 'identity');
    const gzipRequestsPerSecond = await requestsPerSecond(url, gzip);
    const identityRequestsPerSecond = await requestsPerSecond(url, identity);
    await server.stop();
    // The same request headers, so the ceiling parses as much per request as the product.
    const constant = await startChild('./constant-server.js', []);
    const ceiling = await requestsPerSecond(`http://127.0.0.1:${constant.port}/constant`, gzip);
    await constant.stop();
    return {
      events,
      ...latency,
      gzipRequestsPerSecond,
      identityRequestsPerSecond,
      gzipAnswerBytes,
      identityAnswerBytes,
      constantRequestsPerSecond: ceiling,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
