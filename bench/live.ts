/**
 * Fresh answers under continuous load (`npm run bench -- --only live`): the demo's time-ordered
 * Currents traffic (sends, engagement, behaviors of existing users within their windows, control
 * enrolments; src/cli/demo) is posted to a child API process as fast as it takes it (two batches
 * of 2,000 in flight), while two pollers read every campaign's 100-day series once a second.
 *
 * The stream alternates segments of SEGMENT_EVENTS with the pollers on and off, so "ingest during
 * reads" and "write-only" ingest are measured on the same store at the same size. During the
 * polled segments the writer also asks, after every tenth batch, for the series of the campaign
 * the batch fed most (fresh-after-batch: the first answer after new events). At each checkpoint
 * the writer pauses: the pollers' rounds then give the idle latency, and the disk size of the
 * store is read beside the gzipped NDJSON of the same events.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createApiKey } from '../src/api/keys.js';
import { DEMO_CAMPAIGNS } from '../src/cli/demo/campaigns.js';
import { demoEventBatches } from '../src/cli/demo/generator.js';
import { prepareDemoWorkspace } from '../src/cli/demo/load.js';
import { ClickHouseHttp } from '../src/store/clickhouse/http.js';
import { openClickHouseStore } from '../src/store/clickhouse/clickhouse-store.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/store.js';
import { memoryOf, startChild, type ChildServer } from './child.js';
import { rawClickHouseInsertsPerSecond } from './clickhouse.js';
import { rawSqliteInsertsPerSecond } from './ingest.js';
import { percentile } from './latency.js';

export type LiveStore = 'sqlite' | 'clickhouse';

export interface LiveCheckpoint {
  readonly events: number;
  /** Events/s in the polled segments since the last checkpoint. */
  readonly ingestPerSecond: number;
  /** Events/s in the segments without pollers since the last checkpoint. */
  readonly writeOnlyPerSecond: number;
  readonly seriesP50Ms: number;
  readonly seriesP99Ms: number;
  readonly idleP99Ms: number;
  readonly freshP99Ms: number;
  readonly diskBytesPerEvent: number;
  readonly gzipBytesPerEvent: number;
  readonly serverRssMb: number;
}

export interface LiveFigures {
  readonly store: LiveStore;
  readonly checkpoints: readonly LiveCheckpoint[];
  /** Raw inserts of the same events (the first RAW_SAMPLE), same run: SQLite rows or ClickHouse INSERTs. */
  readonly rawPerSecond: number;
  readonly rawEvents: number;
}

const BATCH = 2_000;
const IN_FLIGHT = 2;
const SEGMENT_EVENTS = 50_000;
const POLLERS = 2;
const POLL_INTERVAL_MS = 1_000;
const IDLE_ROUNDS = 3;
const FRESH_EVERY = 10;
const RAW_SAMPLE = 500_000;
const SEED = 1;
const DAY_MS = 86_400_000;
const CAMPAIGNS = DEMO_CAMPAIGNS.map((c) => c.definition.campaign_id);

interface Target {
  readonly server: ChildServer;
  readonly key: string;
  diskBytes(): Promise<number>;
  close(): Promise<void>;
}

async function keyFor(store: Store): Promise<string> {
  const workspace = await prepareDemoWorkspace(store);
  return createApiKey(store, workspace.id, ['events.write', 'campaigns.data_series']);
}

async function sqliteTarget(dir: string): Promise<Target> {
  const dataDir = join(dir, 'data');
  const store = await openSqliteStore({ dataDir });
  const key = await keyFor(store);
  await store.close();
  const server = await startChild('./server.js', [dataDir]);
  const size = (path: string): number =>
    statSync(path).isDirectory()
      ? readdirSync(path).reduce((sum, name) => sum + size(join(path, name)), 0)
      : statSync(path).size;
  return {
    server,
    key,
    diskBytes: async () => size(dataDir),
    close: () => server.stop(),
  };
}

async function clickhouseTarget(url: string): Promise<Target> {
  const database = 'bench_live';
  const admin = new ClickHouseHttp(url, {});
  await admin.exec(`DROP DATABASE IF EXISTS ${database}`);
  const store = await openClickHouseStore({ url, database });
  const key = await keyFor(store);
  await store.close();
  const server = await startChild('./server.js', ['--clickhouse', url, database]);
  return {
    server,
    key,
    diskBytes: async () => {
      const [row] = await admin.query<{ bytes: number }>(
        `SELECT sum(bytes_on_disk) AS bytes FROM system.parts WHERE database = '${database}' AND active`,
      );
      return Number(row?.bytes ?? 0);
    },
    close: () => server.stop(),
  };
}

class Pollers {
  polling = false;
  private busy = 0;
  private stopped = false;
  private readonly latencies: number[] = [];
  private readonly loops: Promise<void>[];

  constructor(
    private readonly base: string,
    private readonly key: string,
  ) {
    this.loops = Array.from({ length: POLLERS }, () => this.loop());
  }

  /** Resolves once no round is running (after `polling` is set to false). */
  async idle(): Promise<void> {
    while (this.busy > 0) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  /** The latencies since the last call. */
  take(): number[] {
    return this.latencies.splice(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const started = performance.now();
      if (this.polling) {
        this.busy += 1;
        for (const campaign of CAMPAIGNS) {
          this.latencies.push(await series(this.base, this.key, campaign));
        }
        this.busy -= 1;
      }
      const rest = POLL_INTERVAL_MS - (performance.now() - started);
      if (rest > 0) await new Promise((resolve) => setTimeout(resolve, rest));
    }
  }
}

/** One 100-day series request; its ms. */
async function series(base: string, key: string, campaign: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${base}/campaigns/data_series?campaign_id=${campaign}&length=100`, {
    headers: { authorization: `Bearer ${key}` },
  });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`data_series answered ${response.status}`);
  return performance.now() - started;
}

async function post(base: string, key: string, body: string, size: number): Promise<void> {
  const response = await fetch(`${base}/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-ndjson' },
    body,
  });
  const answer = (await response.json()) as Record<string, number | undefined>;
  // Every event stored: counted, stored counting nowhere, or a re-sent copy.
  const stored = (answer.accepted ?? 0) + (answer.ignored ?? 0) + (answer.duplicates ?? 0);
  if (response.status !== 200 || stored !== size) {
    throw new Error(`ingest answered ${response.status}: ${JSON.stringify(answer).slice(0, 300)}`);
  }
}

/** The campaign most of a batch's events belong to. */
function mainCampaign(batch: readonly Record<string, unknown>[]): string {
  const counts = new Map<string, number>();
  for (const event of batch) {
    const id = event.campaign_id;
    if (typeof id === 'string') counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? CAMPAIGNS[0]!;
}

/** Runs the stream to the last checkpoint; `onCheckpoint` hears each as it is reached. */
export async function benchLive(
  kind: LiveStore,
  checkpoints: readonly number[],
  onCheckpoint: (checkpoint: LiveCheckpoint) => void,
  clickhouseUrl?: string,
): Promise<LiveFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'tally-bench-live-'));
  const total = Math.max(...checkpoints);
  const endDay = Math.floor(Date.now() / DAY_MS);
  const batches = () => demoEventBatches({ seed: SEED, endDay, events: total, batchSize: BATCH });
  const target =
    kind === 'sqlite' ? await sqliteTarget(dir) : await clickhouseTarget(clickhouseUrl!);
  const base = `http://127.0.0.1:${target.server.port}`;
  const pollers = new Pollers(base, target.key);
  const results: LiveCheckpoint[] = [];
  try {
    let sent = 0;
    let gzipBytes = 0;
    const time = { polled: 0, polledEvents: 0, quiet: 0, quietEvents: 0 };
    let fresh: number[] = [];
    const pending = new Set<Promise<void>>();
    let batchCount = 0;
    let nextCheckpoint = 0;
    let segmentStart = performance.now();
    let segmentEvents = 0;
    for (const batch of batches()) {
      const body = batch.map((event) => JSON.stringify(event)).join('\n');
      gzipBytes += gzipSync(body).length;
      batchCount += 1;
      const polled = pollers.polling;
      const checkFresh = polled && batchCount % FRESH_EVERY === 0;
      const request = post(base, target.key, body, batch.length).then(async () => {
        if (checkFresh) fresh.push(await series(base, target.key, mainCampaign(batch)));
      });
      const tracked = request.then(() => {
        pending.delete(tracked);
      });
      pending.add(tracked);
      if (pending.size >= IN_FLIGHT) await Promise.race(pending);
      sent += batch.length;
      segmentEvents += batch.length;
      if (segmentEvents >= SEGMENT_EVENTS || sent >= checkpoints[nextCheckpoint]!) {
        await Promise.all(pending);
        const ms = performance.now() - segmentStart;
        if (polled) {
          time.polled += ms;
          time.polledEvents += segmentEvents;
        } else {
          time.quiet += ms;
          time.quietEvents += segmentEvents;
        }
        pollers.polling = !polled;
        segmentStart = performance.now();
        segmentEvents = 0;
      }
      if (nextCheckpoint < checkpoints.length && sent >= checkpoints[nextCheckpoint]!) {
        await Promise.all(pending);
        pollers.polling = false;
        await pollers.idle();
        const during = pollers.take();
        // With the pollers paused: one round that may still meet the new events, then idle ones.
        const idle: number[] = [];
        for (let round = 0; round <= IDLE_ROUNDS; round++) {
          for (const campaign of CAMPAIGNS) {
            const ms = await series(base, target.key, campaign);
            if (round > 0) idle.push(ms);
          }
        }
        const disk = await target.diskBytes();
        const checkpoint: LiveCheckpoint = {
          events: sent,
          ingestPerSecond: (time.polledEvents / time.polled) * 1000,
          writeOnlyPerSecond: (time.quietEvents / time.quiet) * 1000,
          seriesP50Ms: percentile(during, 50),
          seriesP99Ms: percentile(during, 99),
          idleP99Ms: percentile(idle, 99),
          freshP99Ms: percentile(fresh, 99),
          diskBytesPerEvent: disk / sent,
          gzipBytesPerEvent: gzipBytes / sent,
          serverRssMb: memoryOf(target.server.process.pid!).rssMb,
        };
        results.push(checkpoint);
        onCheckpoint(checkpoint);
        Object.assign(time, { polled: 0, polledEvents: 0, quiet: 0, quietEvents: 0 });
        fresh = [];
        nextCheckpoint += 1;
        segmentStart = performance.now();
        segmentEvents = 0;
      }
    }
    await Promise.all(pending);
  } finally {
    await pollers.stop();
    await target.close();
  }
  try {
    const rawEvents = Math.min(total, RAW_SAMPLE);
    const sample = () =>
      demoEventBatches({ seed: SEED, endDay, events: rawEvents, batchSize: BATCH });
    const rawPerSecond =
      kind === 'sqlite'
        ? rawSqliteInsertsPerSecond(dir, sample())
        : await rawClickHouseInsertsPerSecond(clickhouseUrl!, 'bench_live.events', sample());
    return { store: kind, checkpoints: results, rawPerSecond, rawEvents };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
