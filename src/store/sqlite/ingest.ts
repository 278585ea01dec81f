/**
 * One `ingest` call: deduplicate and store every event, then update the rollups, the unique
 * chains and the campaign model, all in one transaction. Increments are folded in memory
 * first so each distinct rollup key is written once per transaction. Batches that arrive
 * together share a transaction (group-commit.ts): each is stored on its own savepoint, then
 * the group is counted at once.
 */
import type { Statement } from 'better-sqlite3';
import { countsSomewhere, type NormalizedEvent } from '../../domain/event.js';
import type { IngestOutcome } from '../store.js';
import type { Attribution } from './attribution.js';
import type { CampaignModel } from './campaigns.js';
import { ChainRanker } from './chains.js';
import { joinMetrics, type RollupWriter } from './rollup.js';
import { GroupCommit, type Settled } from './group-commit.js';
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

/** Events per group commit: bounds a transaction's memory and how long it holds the lock. */
const MAX_GROUP_EVENTS = 50_000;

export interface Batch {
  readonly workspaceId: string;
  readonly events: readonly NormalizedEvent[];
}

export class Ingester {
  private readonly insert: Statement;
  private readonly storedHash: Statement<[string, string], { hash: string }>;
  private readonly chains: ChainRanker;
  private readonly groups: GroupCommit<Batch, IngestOutcome>;
  private readonly writeGroup: (batches: readonly Batch[]) => Settled<IngestOutcome>[];

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
    // Called inside the group's transaction, a better-sqlite3 transaction is a savepoint: a
    // batch that fails (unknown workspace) is undone alone and the others are committed.
    const storeAlone = db.transaction(this.storeBatch.bind(this));
    const writeGroup = db.transaction((batches: readonly Batch[]): Settled<IngestOutcome>[] => {
      const stored = new Map<string, NormalizedEvent[]>();
      const settled = batches.map((batch): Settled<IngestOutcome> => {
        try {
          const { outcome, events } = storeAlone(batch.workspaceId, batch.events);
          const ofWorkspace = stored.get(batch.workspaceId) ?? [];
          for (const event of events) ofWorkspace.push(event);
          stored.set(batch.workspaceId, ofWorkspace);
          return { ok: true, value: outcome };
        } catch (error) {
          return { ok: false, error };
        }
      });
      // Counting the group at once re-ranks a chain, re-attributes a (campaign, user) and
      // writes a rollup key once per group, however many of its batches touch them.
      for (const [workspaceId, events] of stored) this.count(workspaceId, events);
      return settled;
    });
    this.writeGroup = writeGroup;
    // IMMEDIATE takes the write lock up front, so two processes never deadlock upgrading.
    this.groups = new GroupCommit(
      (batches) => writeGroup.immediate(batches),
      (batch) => batch.events.length,
      MAX_GROUP_EVENTS,
    );
  }

  /** Resolves once the batch is committed (durable), with what became of each event. */
  ingest(workspaceId: string, events: readonly NormalizedEvent[]): Promise<IngestOutcome> {
    return this.groups.submit({ workspaceId, events });
  }

  /**
   * Stores and counts the batches at once, inside the caller's transaction (re-derivation,
   * rederivation.ts); what became of each batch, in order.
   */
  storeNow(batches: readonly Batch[]): Settled<IngestOutcome>[] {
    return this.writeGroup(batches);
  }

  /** Stores the batch's new events (deduplicated); returns the outcome and the stored events. */
  private storeBatch(
    workspaceId: string,
    events: readonly NormalizedEvent[],
  ): { outcome: IngestOutcome; events: NormalizedEvent[] } {
    this.workspaces.zoneOf(workspaceId); // throws for an unknown workspace
    const inBatch = new Map<string, string>();
    const stored: NormalizedEvent[] = [];
    const conflicts: number[] = [];
    const duplicatePositions: number[] = [];
    let ignored = 0;
    events.forEach((event, position) => {
      // The first copy of an id wins, within the batch as against the store.
      const earlierHash = inBatch.get(event.id) ?? this.storeNew(workspaceId, event);
      if (earlierHash === undefined) {
        inBatch.set(event.id, event.hash);
        stored.push(event);
        if (!countsSomewhere(event)) ignored++;
      } else if (earlierHash === event.hash) {
        duplicatePositions.push(position);
      } else {
        conflicts.push(position);
      }
    });
    const outcome = {
      accepted: stored.length - ignored,
      duplicates: duplicatePositions.length,
      duplicatePositions,
      ignored,
      conflicts,
    };
    return { outcome, events: stored };
  }

  /** Adds newly stored events to the unique chains, the campaign model, attribution and rollups. */
  private count(workspaceId: string, stored: readonly NormalizedEvent[]): void {
    const tally = new DayTally(this.workspaces.zoneOf(workspaceId));
    for (const event of stored) {
      const counted = countedEvent(event);
      if (counted) tally.addEvent(counted, false);
    }
    this.chains.rerank(workspaceId, stored, tally);
    // Attribution reads the campaign's control variation from the model, as it was before the
    // batch (what the rollups hold) and after.
    const rulesBefore = this.attribution.rulesOfCampaigns(workspaceId, stored);
    this.campaigns.record(workspaceId, stored);
    this.attribution.afterIngest(workspaceId, stored, tally, rulesBefore);
    this.rollups.write(workspaceId, tally);
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
