/**
 * The version of the rules that turn a stored event's payload into what it counts for: the
 * catalog (catalog.ts), behaviors (behaviors.ts), the unique windows (unique-chain.ts) and
 * validation (src/ingest/currents.ts). Stores keep every payload and record the version their
 * derived rows were computed under; a store opened under a newer version re-derives everything
 * from the payloads (docs/metrics.md, "Rule versions"), so changing a rule is a change to its
 * home plus a new number here, and nothing already ingested is lost or counted the old way.
 *
 * 1: the rules until 2026-12.
 * 2: genuine Currents records (SPEC §2): `properties` in any form (a JSON string included),
 *    a 32-bit float price read as its decimal, sms `action` in any case, push button clicks.
 */
import type { NormalizedEvent } from './event.js';

export const RULES_VERSION = 2;

/** The rules a store derives with: their version, and what a stored payload counts for. */
export interface DerivationRules {
  readonly version: number;
  /** The event a stored payload (flattened JSON, as NormalizedEvent.payload) is; null if refused. */
  derive(payload: string): NormalizedEvent | null;
}

/** What a store kept of an event beside its payload. */
export interface StoredEvent {
  readonly id: string;
  readonly hash: string;
  readonly eventType: string;
  readonly instantMs: number;
  readonly userKey: string;
  readonly payload: string;
}

/**
 * A stored event under `rules`. Its id and hash stay as stored (a later copy is judged against
 * the first), and an event the rules now refuse stays stored, counting nowhere: re-deriving
 * never loses an acknowledged event.
 */
export function rederive(rules: DerivationRules, stored: StoredEvent): NormalizedEvent {
  const derived = rules.derive(stored.payload);
  if (derived !== null && derived.id === stored.id) return { ...derived, hash: stored.hash };
  return {
    ...stored,
    campaign: null,
    sendId: null,
    channel: null,
    metrics: [],
    unique: null,
    receipt: false,
    enrolsControl: false,
  };
}
