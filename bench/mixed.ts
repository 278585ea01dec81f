/**
 * Ingest of a mixed workload over HTTP: a third of the events are behaviors (purchases and custom
 * events by users who received a message of the campaign shortly before, within the windows of its
 * conversion behaviors), so every one of them is attributed. Measured beside the sends-only stream of bench/ingest.ts in
 * the same run, into a fresh store each, with the same campaign definition; the difference in time
 * per event, spread over the behaviors, is what attributing one behavior costs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { startChild } from './child.js';
import { ingestOverHttp, prepareWorkspace } from './ingest.js';
import { BENCH_CAMPAIGN_DEFINITION, syntheticBatches, type SyntheticOptions } from './synthetic.js';

export const BEHAVIOR_SHARE = 1 / 3;

export interface MixedFigures {
  readonly events: number;
  /** Behaviors among `events` (about a third). */
  readonly behaviors: number;
  readonly eventsPerSecond: number;
  readonly sendsOnlyEventsPerSecond: number;
  /** Extra server time per behavior, in microseconds. */
  readonly attributionMicrosPerBehavior: number;
}

/** A fresh store with the campaign defined with behaviors; ingests `options` over HTTP. */
async function ingestInto(dir: string, options: SyntheticOptions): Promise<number> {
  const dataDir = join(dir, 'data');
  const key = await prepareWorkspace(dataDir);
  const store = await openSqliteStore({ dataDir });
  const workspace = await store.findWorkspaceByName('bench');
  await store.defineCampaign(workspace!.id, BENCH_CAMPAIGN_DEFINITION);
  await store.close();
  const server = await startChild('./server.js', [dataDir]);
  try {
    return await ingestOverHttp(server.port, key, options, () => {});
  } finally {
    await server.stop();
  }
}

function countBehaviors(options: SyntheticOptions): number {
  let behaviors = 0;
  for (const batch of syntheticBatches(options, 5_000)) {
    for (const event of batch) {
      if (String(event.event_type).startsWith('users.behaviors.')) behaviors++;
    }
  }
  return behaviors;
}

export async function benchMixed(events: number): Promise<MixedFigures> {
  const endMs = Date.now();
  const sendsOnly: SyntheticOptions = { count: events, days: 90, endMs };
  const mixed: SyntheticOptions = { ...sendsOnly, behaviorShare: BEHAVIOR_SHARE };
  const run = async (options: SyntheticOptions): Promise<number> => {
    const dir = mkdtempSync(join(tmpdir(), 'tally-bench-mixed-'));
    try {
      return await ingestInto(dir, options);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const sendsOnlyEventsPerSecond = await run(sendsOnly);
  const eventsPerSecond = await run(mixed);
  const behaviors = countBehaviors(mixed);
  const extraSeconds = events / eventsPerSecond - events / sendsOnlyEventsPerSecond;
  return {
    events,
    behaviors,
    eventsPerSecond,
    sendsOnlyEventsPerSecond,
    attributionMicrosPerBehavior: behaviors > 0 ? (extraSeconds / behaviors) * 1e6 : 0,
  };
}
