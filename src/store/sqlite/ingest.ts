/**
 * One `ingest` call: deduplicate and store every event, then update the rollups, the unique
 * chains and the campaign model, all in one transaction. Increments are folded in memory
 * first so each distinct rollup key is written once per batch.
 */
import type { Statement } from 'better-sqlite3';
import { countsSomewhere, type NormalizedEvent } from '../../domain/event.js';
import type { IngestOutcome } from '../store.js';
import type { Attribution } from './attribution.js';
import type { CampaignModel } from './campaigns.js';
import { ChainRanker } from './chains.js';
import { joinMetrics, type RollupWriter } from './rollup.js';
import type { Db } from './schema.js';
import { DayTally, type CountedEvent } from './tally.js';
import type { Workspaces } from './workspaces.js';

function countedEvent(event: NormalizedEvent): CountedEvent | null {
  if (!event.campaign) return null;
  return {
    campaignId: event.campaign.campaignId,
    variationId: event.campaign.variationId,
    channel: event.channel,
    userKey: event.userKey,
    instantMs: event.instantMs,
    metrics: event.metrics,
    uniqueMetric: event.unique?.metric ?? null,
    receipt: event.receipt,
    enrolsControl: event.enrolsControl,
  };
}

export class Ingester {
  private readonly insert: Statement;
  private readonly storedHash: Statement<[string, string], { hash: string }>;
  private readonly chains: ChainRanker;
  private readonly transaction: (
    workspaceId: string,
    events: readonly NormalizedEvent[],
  ) => IngestOutcome;

  constructor(
    db: Db,
    private readonly workspaces: Workspaces,
    private readonly rollups: RollupWriter,
    private readonly campaigns: CampaignModel,
    private readonly attribution: Attribution,
  ) {
    this.insert = db.prepare(
      `INSERT OR IGNORE INTO events (ws, id, hash, event_type, instant_ms, user_key, payload,
         campaign_id, campaign_name, variation_id, variation_name, send_id, channel, metrics,
         unique_metric, unique_window_ms, unique_chain, receipt, enrols_control)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.storedHash = db.prepare('SELECT hash FROM events WHERE ws = ? AND id = ?');
    this.chains = new ChainRanker(db);
    const run = db.transaction(this.apply.bind(this));
    // IMMEDIATE takes the write lock up front, so two processes never deadlock upgrading.
    this.transaction = (workspaceId, events) => run.immediate(workspaceId, events);
  }

  ingest(workspaceId: string, events: readonly NormalizedEvent[]): IngestOutcome {
    return this.transaction(workspaceId, events);
  }

  private apply(workspaceId: string, events: readonly NormalizedEvent[]): IngestOutcome {
    const tally = new DayTally(this.workspaces.zoneOf(workspaceId));
    const inBatch = new Map<string, string>();
    const stored: NormalizedEvent[] = [];
    const conflicts: number[] = [];
    let duplicates = 0;
    let ignored = 0;
    events.forEach((event, position) => {
      // The first copy of an id wins, within the batch as against the store.
      const earlierHash = inBatch.get(event.id) ?? this.storeNew(workspaceId, event);
      if (earlierHash === undefined) {
        inBatch.set(event.id, event.hash);
        stored.push(event);
        const counted = countedEvent(event);
        if (counted) tally.addEvent(counted, false);
        if (!countsSomewhere(event)) ignored++;
      } else if (earlierHash === event.hash) {
        duplicates++;
      } else {
        conflicts.push(position);
      }
    });
    this.chains.rerank(workspaceId, stored, tally);
    // Before attribution, which reads the campaign's control variation from the model.
    this.campaigns.record(workspaceId, stored);
    this.attribution.afterIngest(workspaceId, stored, tally);
    this.rollups.write(workspaceId, tally);
    return { accepted: stored.length - ignored, duplicates, ignored, conflicts };
  }

  /** Stores the event; when its id is already stored, returns the stored hash instead. */
  private storeNew(workspaceId: string, event: NormalizedEvent): string | undefined {
    const ref = event.campaign;
    const { changes } = this.insert.run(
      workspaceId,
      event.id,
      event.hash,
      event.eventType,
      event.instantMs,
      event.userKey,
      event.payload,
      ref?.campaignId ?? null,
      ref?.campaignName ?? null,
      ref?.variationId ?? null,
      ref?.variationName ?? null,
      event.sendId,
      event.channel,
      joinMetrics(event.metrics),
      event.unique?.metric ?? null,
      event.unique?.windowMs ?? null,
      event.unique?.chain ?? null,
      event.receipt ? 1 : 0,
      event.enrolsControl ? 1 : 0,
    );
    return changes === 1 ? undefined : this.storedHash.get(workspaceId, event.id)!.hash;
  }
}
