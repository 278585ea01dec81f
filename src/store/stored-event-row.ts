/**
 * The columns both stores keep for an event beside what it counts for (each schema.ts names
 * them alike): what re-derivation reads back (domain/rules-version.ts).
 */
import type { StoredEvent } from '../domain/rules-version.js';

export interface StoredEventRow {
  id: string;
  hash: string;
  event_type: string;
  instant_ms: number;
  user_key: string;
  payload: string;
}

/** The stored columns SELECTed by name, in one place for both stores' queries. */
export const STORED_EVENT_COLUMNS = 'id, hash, event_type, instant_ms, user_key, payload';

export function storedEventOf(row: StoredEventRow): StoredEvent {
  return {
    id: row.id,
    hash: row.hash,
    eventType: row.event_type,
    // ClickHouse may answer an Int64 as a string.
    instantMs: Number(row.instant_ms),
    userKey: row.user_key,
    payload: row.payload,
  };
}
