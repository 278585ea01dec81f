/**
 * One `ingest` call (SPEC §2): deduplicate by event id, report conflicts, store the new events.
 *
 * Ids already stored are looked up in `event_ids` with the batch's ids sent as external data.
 * New events are written by one INSERT into `events`, whose materialized views
 * (rollup-schema.ts) write `event_ids` and the rollups after the events themselves: never an
 * id known without its event. A crash halfway leaves events whose ids are not yet known: their
 * retry stores them again, and the copies are folded by `events FINAL` and ignored by the
 * idempotent rollups. Two processes storing the same event at once both write it; the copies
 * fold the same way.
 * Last, the batch's touches (touches.ts) tell computed days that these events arrived.
 */
import { countsSomewhere, type NormalizedEvent } from '../../domain/event.js';
import type { IngestOutcome } from '../store.js';
import { params, type ClickHouseHttp } from './http.js';
import { recordTouches } from './touches.js';

const STORED_HASHES_SQL = `
SELECT id, argMin(hash, inserted_ms) AS hash FROM event_ids
WHERE workspace_id = (SELECT ws FROM p) AND id IN (SELECT id FROM ids)
GROUP BY id`;

/** The `events` row of an event (also what the benchmark's raw INSERT ceiling writes). */
export function eventRow(workspaceId: string, event: NormalizedEvent, insertedMs: number) {
  const ref = event.campaign;
  return {
    workspace_id: workspaceId,
    id: event.id,
    hash: event.hash,
    event_type: event.eventType,
    instant_ms: event.instantMs,
    user_key: event.userKey,
    payload: event.payload,
    campaign_id: ref?.campaignId ?? '',
    campaign_name: ref?.campaignName ?? '',
    variation_id: ref?.variationId ?? '',
    variation_name: ref?.variationName ?? '',
    send_id: event.sendId ?? '',
    channel: event.channel ?? '',
    metrics: event.metrics,
    unique_metric: event.unique?.metric ?? '',
    unique_window_ms: event.unique ? (event.unique.windowMs ?? 0) : 0,
    unique_chain: event.unique?.chain ?? '',
    receipt: event.receipt ? 1 : 0,
    enrols_control: event.enrolsControl ? 1 : 0,
    inserted_ms: insertedMs,
  };
}

export async function ingestEvents(
  db: ClickHouseHttp,
  workspaceId: string,
  events: readonly NormalizedEvent[],
): Promise<IngestOutcome> {
  return storeChecked(db, await checkIds(db, workspaceId, events));
}

/** A batch after the duplicate check: what to store, and what the answer says of the rest. */
export interface CheckedBatch {
  readonly workspaceId: string;
  readonly events: readonly NormalizedEvent[];
  readonly fresh: readonly NormalizedEvent[];
  readonly duplicatePositions: readonly number[];
  readonly conflicts: readonly number[];
}

/**
 * The first half of an ingest: which events are new. Two processes may both pass it for the
 * same event before either stores it (tests force exactly that by calling the halves apart).
 */
export async function checkIds(
  db: ClickHouseHttp,
  workspaceId: string,
  events: readonly NormalizedEvent[],
): Promise<CheckedBatch> {
  const stored = await storedHashes(db, workspaceId, events);
  const fresh: NormalizedEvent[] = [];
  const conflicts: number[] = [];
  const duplicatePositions: number[] = [];
  events.forEach((event, position) => {
    // The first copy of an id wins, against the store as within the batch.
    const earlier = stored.get(event.id);
    if (earlier === undefined) {
      stored.set(event.id, event.hash);
      fresh.push(event);
    } else if (earlier === event.hash) duplicatePositions.push(position);
    else conflicts.push(position);
  });
  return { workspaceId, events, fresh, duplicatePositions, conflicts };
}

/** The second half: stores the new events, then records the batch's touches. */
export async function storeChecked(
  db: ClickHouseHttp,
  batch: CheckedBatch,
): Promise<IngestOutcome> {
  const { workspaceId, events, fresh, duplicatePositions, conflicts } = batch;
  const insertedMs = Date.now();
  await db.insert(
    'events',
    fresh.map((event) => eventRow(workspaceId, event, insertedMs)),
  );
  // Repeats too: their first ingest may have died before its touches (touches.ts).
  const conflicting = new Set(conflicts);
  await recordTouches(
    db,
    workspaceId,
    events.filter((_, position) => !conflicting.has(position)),
  );
  const ignored = fresh.filter((event) => !countsSomewhere(event)).length;
  return {
    accepted: fresh.length - ignored,
    duplicates: duplicatePositions.length,
    duplicatePositions,
    ignored,
    conflicts,
  };
}

async function storedHashes(
  db: ClickHouseHttp,
  workspaceId: string,
  events: readonly NormalizedEvent[],
): Promise<Map<string, string>> {
  if (events.length === 0) return new Map();
  const ids = { name: 'ids', columns: { id: 'String' }, rows: events.map((e) => ({ id: e.id })) };
  const rows = await db.query<{ id: string; hash: string }>(STORED_HASHES_SQL, [
    params({ ws: ['String', workspaceId] }),
    ids,
  ]);
  return new Map(rows.map((row) => [row.id, row.hash]));
}
