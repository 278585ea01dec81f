/**
 * Ingest over HTTP (NDJSON batches of 5,000) into a child `tally` API process, beside the
 * ceiling: raw better-sqlite3 inserts of the same rows in one transaction. The same run
 * samples the server's memory, so "RSS does not grow with stored events" is measured too.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiKey } from '../src/api/keys.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { memoryOf, startChild, type ChildServer } from './child.js';
import { syntheticBatches, type SyntheticOptions } from './synthetic.js';

export const BATCH_SIZE = 5_000;
/**
 * Requests in flight at once, as a pipeline with several senders keeps them: batches that
 * arrive while one is being written share the next transaction (group commit).
 */
export const INGEST_CONCURRENCY = 8;

export interface IngestFigures {
  readonly events: number;
  readonly eventsPerSecond: number;
  readonly rawInsertsPerSecond: number;
  readonly idleRssMb: number;
  readonly peakRssMb: number;
  /** Server RSS after each further million events. */
  readonly rssByMillion: readonly number[];
}

/** A workspace and a key in a fresh data dir; returns the key. */
export async function prepareWorkspace(dataDir: string): Promise<string> {
  const store = await openSqliteStore({ dataDir });
  const workspace = await store.createWorkspace('bench', 'UTC');
  const key = await createApiKey(store, workspace.id, ['events.write', 'campaigns.data_series']);
  await store.close();
  return key;
}

function ndjson(batch: readonly Record<string, unknown>[]): string {
  return batch.map((event) => JSON.stringify(event)).join('\n');
}

async function postBatch(port: number, key: string, body: string, size: number): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${port}/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-ndjson' },
    body,
  });
  const answer = (await response.json()) as { accepted?: number; message?: string };
  // A benchmark that silently measured refusals would be worthless.
  if (response.status !== 200 || answer.accepted !== size) {
    throw new Error(`ingest answered ${response.status}: ${JSON.stringify(answer).slice(0, 300)}`);
  }
}

/** Sends every batch, keeping INGEST_CONCURRENCY requests in flight. */
export async function ingestOverHttp(
  port: number,
  key: string,
  options: SyntheticOptions,
  onProgress: (sent: number) => void,
): Promise<number> {
  const started = performance.now();
  let sent = 0;
  const inFlight = new Set<Promise<void>>();
  for (const batch of syntheticBatches(options, BATCH_SIZE)) {
    const request = postBatch(port, key, ndjson(batch), batch.length).then(() => {
      sent += batch.length;
      inFlight.delete(request);
      onProgress(sent);
    });
    inFlight.add(request);
    if (inFlight.size >= INGEST_CONCURRENCY) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  return (options.count / (performance.now() - started)) * 1000;
}

/** The ceiling: the same rows, straight into a SQLite table with a primary key, one transaction. */
export function rawSqliteInsertsPerSecond(
  dir: string,
  batches: Iterable<readonly Record<string, unknown>[]>,
): number {
  const db = new Database(join(dir, 'raw.db'));
  db.pragma('journal_mode = WAL');
  db.exec(`CREATE TABLE events (workspace TEXT, id TEXT, event_type TEXT, instant_ms INTEGER,
    user_key TEXT, campaign_id TEXT, variation_id TEXT, payload TEXT, PRIMARY KEY (workspace, id))`);
  const insert = db.prepare('INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const started = performance.now();
  let events = 0;
  db.transaction(() => {
    for (const batch of batches) {
      events += batch.length;
      for (const e of batch) {
        insert.run(
          'w',
          e.id,
          e.event_type,
          Number(e.time) * 1000,
          e.external_user_id,
          e.campaign_id,
          e.message_variation_id,
          JSON.stringify(e),
        );
      }
    }
  })();
  const perSecond = (events / (performance.now() - started)) * 1000;
  db.close();
  return perSecond;
}

/** What a child API server did while it ingested the events: speed and its memory. */
export type ServerIngestFigures = Omit<IngestFigures, 'events' | 'rawInsertsPerSecond'>;

/** Posts every event to a started child server, sampling its memory after each million. */
export async function measureServerIngest(
  server: ChildServer,
  key: string,
  options: SyntheticOptions,
): Promise<ServerIngestFigures> {
  const pid = server.process.pid!;
  const idleRssMb = memoryOf(pid).rssMb;
  const rssByMillion: number[] = [];
  const eventsPerSecond = await ingestOverHttp(server.port, key, options, (sent) => {
    if (sent % 1_000_000 === 0) rssByMillion.push(memoryOf(pid).rssMb);
  });
  return { eventsPerSecond, idleRssMb, peakRssMb: memoryOf(pid).peakMb, rssByMillion };
}

export async function benchIngest(events: number): Promise<IngestFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'tally-bench-ingest-'));
  try {
    const options: SyntheticOptions = { count: events, days: 90, endMs: Date.now() };
    const key = await prepareWorkspace(join(dir, 'data'));
    const server = await startChild('./server.js', [join(dir, 'data')]);
    const figures = await measureServerIngest(server, key, options);
    await server.stop();
    const raw = rawSqliteInsertsPerSecond(dir, syntheticBatches(options, BATCH_SIZE));
    return { events, ...figures, rawInsertsPerSecond: raw };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
