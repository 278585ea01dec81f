/**
 * The benchmarks: each product figure printed beside a ceiling measured in the same run, and
 * the target. Entry points: `npm run bench` (bench/main.ts) and `tally bench`.
 */
import { benchIngest } from './ingest.js';
import { benchSeries } from './series.js';

export interface BenchOptions {
  readonly only: ReadonlySet<string>;
  readonly ingestEvents: number;
  readonly seriesEvents: number;
}

const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export async function runBenchmarks(options: BenchOptions): Promise<void> {
  console.log(`Tally benchmarks: node ${process.version}, ${new Date().toISOString()}`);

  if (options.only.has('ingest')) {
    const f = await benchIngest(options.ingestEvents);
    const share = (f.eventsPerSecond / f.rawInsertsPerSecond) * 100;
    console.log(`\ningest over HTTP, NDJSON batches of 5,000, ${fmt(f.events)} events`);
    console.log(`  tally            ${fmt(f.eventsPerSecond)} events/s   (target >= 100,000)`);
    console.log(`  raw SQLite       ${fmt(f.rawInsertsPerSecond)} events/s   (ceiling: same rows)`);
    console.log(`  share of ceiling ${fmt(share, 1)} %   (target >= 25 %)`);
    console.log(
      `  server RSS       idle ${fmt(f.idleRssMb)} MB, peak ${fmt(f.peakRssMb)} MB   (target < 1,024 MB)`,
    );
    console.log(`  RSS per million  ${f.rssByMillion.map((mb) => fmt(mb)).join(' / ')} MB`);
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
    console.log(`  over HTTP         ${fmt(f.requestsPerSecond)} requests/s   (target >= 5,000)`);
    console.log(`  constant Fastify  ${fmt(f.constantRequestsPerSecond)} requests/s   (ceiling)`);
    const share = (f.requestsPerSecond / f.constantRequestsPerSecond) * 100;
    console.log(`  share of ceiling  ${fmt(share, 1)} %`);
  }
}
