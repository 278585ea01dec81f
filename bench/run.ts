/**
 * The benchmarks: each product figure printed beside a ceiling measured in the same run, and
 * the target. Entry points: `npm run bench` (bench/main.ts) and `tally bench`.
 */
import { benchClickHouse } from './clickhouse.js';
import { benchDashboard, type Percentiles } from './dashboard.js';
import { benchLive, type LiveCheckpoint, type LiveFigures, type LiveStore } from './live.js';
import { startClickHouse } from '../test/support/services.js';
import { benchExplainClickHouse, benchExplainSqlite } from './explain.js';
import { benchIngest, INGEST_CONCURRENCY } from './ingest.js';
import { benchMixed } from './mixed.js';
import type { LatencyFigures } from './latency.js';
import { benchSeries } from './series.js';

export interface BenchOptions {
  readonly only: ReadonlySet<string>;
  /** Also the event count of `mixed`. */
  readonly ingestEvents: number;
  readonly seriesEvents: number;
  /** The demo's size for the dashboard benchmark (default 1,000,000). */
  readonly dashboardEvents?: number;
  /** Stored-event counts at which the live benchmark reports (default: LIVE_CHECKPOINTS). */
  readonly liveCheckpoints?: readonly number[];
  /** Stored events of the explain benchmark (default: EXPLAIN_EVENTS of the store). */
  readonly explainEvents?: number;
  /** `clickhouse`: the ClickHouse store on one node started for the run (bench/clickhouse.ts). */
  readonly store?: 'sqlite' | 'clickhouse';
}

const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export async function runBenchmarks(options: BenchOptions): Promise<void> {
  console.log(`Tally benchmarks: node ${process.version}, ${new Date().toISOString()}`);
  const store = options.store ?? 'sqlite';
  if (options.only.has('live')) {
    await runLive(store, options.liveCheckpoints ?? LIVE_CHECKPOINTS[store]);
  }
  if (options.only.has('explain')) {
    await runExplain(store, options.explainEvents ?? EXPLAIN_EVENTS[store]);
  }
  if (options.store === 'clickhouse') return runClickHouseBenchmarks(options);

  if (options.only.has('ingest')) {
    const f = await benchIngest(options.ingestEvents);
    const share = (f.eventsPerSecond / f.rawInsertsPerSecond) * 100;
    console.log(
      `\ningest over HTTP, NDJSON batches of 5,000, ${INGEST_CONCURRENCY} requests in flight, ${fmt(f.events)} events`,
    );
    console.log(`  tally            ${fmt(f.eventsPerSecond)} events/s   (target >= 100,000)`);
    console.log(`  raw SQLite       ${fmt(f.rawInsertsPerSecond)} events/s   (ceiling: same rows)`);
    console.log(`  share of ceiling ${fmt(share, 1)} %   (target >= 25 %)`);
    console.log(
      `  server RSS       idle ${fmt(f.idleRssMb)} MB, peak ${fmt(f.peakRssMb)} MB   (target < 1,024 MB)`,
    );
    console.log(`  RSS per million  ${f.rssByMillion.map((mb) => fmt(mb)).join(' / ')} MB`);
  }

  if (options.only.has('mixed')) {
    const f = await benchMixed(options.ingestEvents);
    const share = (f.eventsPerSecond / f.sendsOnlyEventsPerSecond) * 100;
    console.log(
      `\nmixed ingest over HTTP, ${fmt(f.events)} events of which ${fmt(f.behaviors)} behaviors (purchases, custom events)`,
    );
    console.log(`  mixed            ${fmt(f.eventsPerSecond)} events/s`);
    console.log(`  sends only       ${fmt(f.sendsOnlyEventsPerSecond)} events/s   (same run)`);
    console.log(`  share            ${fmt(share, 1)} %   (target >= 70 %)`);
    console.log(
      `  attribution      ${fmt(f.attributionMicrosPerBehavior, 1)} µs per behavior   (extra time per event / behaviors)`,
    );
  }

  if (options.only.has('dashboard')) {
    await runDashboardBenchmark(options.dashboardEvents ?? DASHBOARD_EVENTS);
  }

  if (options.only.has('series')) {
    const f = await benchSeries(options.seriesEvents);
    console.log(`\n/campaigns/data_series length=100, campaign of ${fmt(f.events)} events`);
    console.log(
      `  in process, cold  p50 ${fmt(f.coldP50Ms, 2)} ms, p99 ${fmt(f.coldP99Ms, 2)} ms   (every answer rendered anew)`,
    );
    console.log(
      `  in process        p50 ${fmt(f.p50Ms, 2)} ms, p99 ${fmt(f.p99Ms, 2)} ms   (target p99 < 10 ms)`,
    );
    console.log(
      `  over HTTP, gzip   ${fmt(f.gzipRequestsPerSecond)} requests/s   (Accept-Encoding: gzip, as real clients send; target >= 5,000)`,
    );
    console.log(
      `  over HTTP, plain  ${fmt(f.identityRequestsPerSecond)} requests/s   (no Accept-Encoding)`,
    );
    console.log(
      `  constant Fastify  ${fmt(f.constantRequestsPerSecond)} requests/s   (ceiling: a constant small JSON)`,
    );
    const share = (rate: number): string =>
      `${fmt((rate / f.constantRequestsPerSecond) * 100, 1)} %`;
    console.log(
      `  share of ceiling  gzip ${share(f.gzipRequestsPerSecond)}, plain ${share(f.identityRequestsPerSecond)}`,
    );
    const ratio = (f.gzipAnswerBytes / f.identityAnswerBytes) * 100;
    console.log(
      `  answer size       gzip ${fmt(f.gzipAnswerBytes)} bytes, plain ${fmt(f.identityAnswerBytes)} bytes (${fmt(ratio, 1)} %)`,
    );
  }
}

const DASHBOARD_EVENTS = 1_000_000;

/** Issue #17's sizes: the 1 M-event demo on the embedded store, 10 M events on ClickHouse. */
const EXPLAIN_EVENTS: Readonly<Record<LiveStore, number>> = {
  sqlite: 1_000_000,
  clickhouse: 10_000_000,
};
const EXPLAIN_TARGET_MS: Readonly<Record<LiveStore, number>> = { sqlite: 50, clickhouse: 500 };

async function runExplain(store: LiveStore, events: number): Promise<void> {
  const f =
    store === 'sqlite' ? await benchExplainSqlite(events) : await benchExplainClickHouse(events);
  console.log(
    `
explain ${store}: first page (limit 100) of every figure on sampled days, ${fmt(f.events)} events (loaded in ${fmt(f.loadSeconds)} s)`,
  );
  console.log(
    `  explain        p50 ${fmt(f.p50, 1)} ms, p99 ${fmt(f.p99, 1)} ms, max ${fmt(f.max, 1)} ms over ${fmt(f.requests)} requests   (target p99 ≤ ${EXPLAIN_TARGET_MS[store]} ms)`,
  );
  const kinds = Object.entries(f.byKind)
    .map(([kind, k]) => `${kind} p99 ${fmt(k.p99, 1)} ms (${fmt(k.n)})`)
    .join(', ');
  console.log(`  by kind        ${kinds}`);
  console.log(
    `  series, 1 day  p99 ${fmt(f.seriesP99, 1)} ms   (same run: the request of the figure itself, which every explanation repeats for its value)`,
  );
}

/** Where the live benchmark reports, per store: the growth from 1 M up is what it shows. */
export const LIVE_CHECKPOINTS: Readonly<Record<LiveStore, readonly number[]>> = {
  sqlite: [1_000_000, 5_000_000],
  clickhouse: [1_000_000, 3_000_000, 10_000_000],
};

function printCheckpoint(store: LiveStore, c: LiveCheckpoint): void {
  console.log(
    `live ${store}: events ${fmt(c.events)}, ingest ${fmt(c.ingestPerSecond)} ev/s (write-only ${fmt(c.writeOnlyPerSecond)} ev/s), series p50 ${fmt(c.seriesP50Ms, 1)} ms p99 ${fmt(c.seriesP99Ms, 1)} ms (idle p99 ${fmt(c.idleP99Ms, 1)} ms), fresh-after-batch p99 ${fmt(c.freshP99Ms, 1)} ms`,
  );
  console.log(
    `  disk ${fmt(c.diskBytesPerEvent)} bytes/event (gzipped NDJSON ${fmt(c.gzipBytesPerEvent)} bytes/event), server RSS ${fmt(c.serverRssMb)} MB`,
  );
}

function printRaw(f: LiveFigures): void {
  const last = f.checkpoints[f.checkpoints.length - 1];
  if (!last) return;
  console.log(
    `  raw ${f.store === 'sqlite' ? 'SQLite inserts' : 'INSERT'} of the same events (first ${fmt(f.rawEvents)}): ${fmt(f.rawPerSecond)} ev/s; ingest during reads at the end is ${fmt((last.ingestPerSecond / f.rawPerSecond) * 100, 1)} % of it`,
  );
}

async function runLive(store: LiveStore, checkpoints: readonly number[]): Promise<void> {
  console.log(
    `\nlive: demo traffic over HTTP (batches of 2,000, 2 in flight), 2 pollers reading every campaign's 100-day series each second`,
  );
  const print = (c: LiveCheckpoint) => printCheckpoint(store, c);
  if (store === 'sqlite') return printRaw(await benchLive('sqlite', checkpoints, print));
  const node = await startClickHouse();
  try {
    printRaw(await benchLive('clickhouse', checkpoints, print, node.url));
  } finally {
    await node.stop();
  }
}
const SCRIPT_BUDGET_BYTES = 150 * 1024;

async function runDashboardBenchmark(events: number): Promise<void> {
  const f = await benchDashboard(events);
  const ms = (p: Percentiles) => `p50 ${fmt(p.p50)} ms, p99 ${fmt(p.p99)} ms`;
  console.log(
    `\ndashboard in Chromium, demo of ${fmt(f.events)} events, largest campaign ${f.campaignId}, 30 days`,
  );
  console.log(`  first chart      ${ms(f.firstChart)}   (after navigation; target < 1,000 ms)`);
  console.log(`  page shell       ${ms(f.shell)}   (floor: same page and assets, no data asked)`);
  console.log(
    `  series request   ${ms(f.seriesRequest)}   (the API's part: /campaigns/data_series as the page timed it)`,
  );
  console.log(
    `  range redraw     ${ms(f.redraw)}   (change of days to repainted chart; target < 300 ms)`,
  );
  console.log(
    `  JavaScript       ${fmt(f.scriptGzipBytes / 1024, 1)} KB gzipped (CSS ${fmt(f.styleGzipBytes / 1024, 1)} KB; budget ${fmt(SCRIPT_BUDGET_BYTES / 1024)} KB)`,
  );
}

/** Over HTTP ClickHouse ingests a few times slower than SQLite: this keeps the run to ~20 min. */
const CLICKHOUSE_INGEST_EVENTS = 2_000_000;

async function runClickHouseBenchmarks(options: BenchOptions): Promise<void> {
  if (!options.only.has('ingest') && !options.only.has('series')) return;
  // A campaign of --series-events, then ten times as many (1 M and 10 M by default).
  const seriesSizes = [options.seriesEvents, 10 * options.seriesEvents];
  const ingestEvents = Math.min(options.ingestEvents, CLICKHOUSE_INGEST_EVENTS);
  const { ingest, series } = await benchClickHouse({
    ...(options.only.has('ingest') ? { ingestEvents } : {}),
    ...(options.only.has('series') ? { seriesSizes } : {}),
  });
  if (ingest) {
    const f = ingest;
    console.log(
      `\nClickHouse store (one node): ingest over HTTP, NDJSON batches of 5,000, ${INGEST_CONCURRENCY} requests in flight, ${fmt(f.events)} events (--ingest-events, at most ${fmt(CLICKHOUSE_INGEST_EVENTS)})`,
    );
    console.log(`  tally            ${fmt(f.eventsPerSecond)} events/s   (target >= 200,000)`);
    console.log(
      `  raw INSERT       ${fmt(f.rawSameBatchPerSecond)} events/s   (the store's rows of ${fmt(f.rawEvents)} events, no views, batches of 5,000)`,
    );
    console.log(
      `  raw INSERT       ${fmt(f.rawCeilingPerSecond)} events/s   (ceiling: the same in batches of 100,000)`,
    );
    console.log(
      `  share of ceiling ${fmt((f.eventsPerSecond / f.rawCeilingPerSecond) * 100, 1)} %`,
    );
    console.log(
      `  server RSS       idle ${fmt(f.idleRssMb)} MB, peak ${fmt(f.peakRssMb)} MB   (target: flat as data grows)`,
    );
    console.log(`  RSS per million  ${f.rssByMillion.map((mb) => fmt(mb)).join(' / ')} MB`);
  }
  if (series) {
    console.log(
      `\nClickHouse store: /campaigns/data_series length=100, events loaded in process through Store.ingest (batches of 50,000): ${fmt(series.loadPerSecond)} events/s`,
    );
    for (const f of series.sizes) {
      console.log(`  campaign of ${fmt(f.events)} events`);
      console.log(
        `    first answer     ${fmt(f.firstAnswerMs)} ms   (computes every day of the range after the load)`,
      );
      const latency = (label: string, l: LatencyFigures, note: string) => {
        console.log(
          `    ${label} cold p50 ${fmt(l.coldP50Ms, 2)} ms, p99 ${fmt(l.coldP99Ms, 2)} ms; repeated p50 ${fmt(l.p50Ms, 2)} ms, p99 ${fmt(l.p99Ms, 2)} ms   (${note})`,
        );
      };
      latency('endpoint        ', f.endpoint, `${f.samples} of each; target p99 < 100 ms at 10 M`);
      latency('without convers.', f.counted, 'counted cells only: kept conversions left out');
    }
  }
}
