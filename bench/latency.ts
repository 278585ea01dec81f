/**
 * In-process latency of `/campaigns/data_series` through the real Fastify app (`inject`):
 * cold (a different range each request, so no rendered answer can be reused) and repeated.
 * Shared by the embedded and the ClickHouse series benchmarks.
 */
import type { FastifyInstance } from 'fastify';

const DAY_MS = 86_400_000;

export interface LatencyFigures {
  readonly coldP50Ms: number;
  readonly coldP99Ms: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** The sample at `percent` (50, 99) of the samples in order; NaN when there are none. */
export function percentile(samples: readonly number[], percent: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((percent / 100) * sorted.length))]!;
}

export async function seriesLatency(
  app: FastifyInstance,
  key: string,
  path: string,
  endMs: number,
  samples: { readonly cold: number; readonly repeated: number },
): Promise<LatencyFigures> {
  const timeRequests = async (urls: readonly string[]): Promise<number[]> => {
    const latencies: number[] = [];
    for (const url of urls) {
      const started = performance.now();
      const answer = await app.inject({ url, headers: { authorization: `Bearer ${key}` } });
      latencies.push(performance.now() - started);
      if (answer.statusCode !== 200) {
        throw new Error(`data_series answered ${answer.statusCode}: ${answer.body.slice(0, 300)}`);
      }
    }
    return latencies.sort((a, b) => a - b);
  };
  // Ranges ending on each of the last `cold` days: each a distinct answer, rendered anew.
  const cold = await timeRequests(
    Array.from({ length: samples.cold }, (_, i) => {
      const endingAt = new Date(endMs - i * DAY_MS).toISOString().slice(0, 10);
      return `${path}&ending_at=${endingAt}`;
    }),
  );
  const repeated = await timeRequests(Array.from({ length: samples.repeated }, () => path));
  return {
    coldP50Ms: percentile(cold, 50),
    coldP99Ms: percentile(cold, 99),
    p50Ms: percentile(repeated, 50),
    p99Ms: percentile(repeated, 99),
  };
}
