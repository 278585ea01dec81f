/**
 * An ingested event after validation and normalisation: what every store receives.
 * The ingest module builds it (src/ingest/currents.ts); stores never re-read raw JSON to count.
 */
import type { Behavior, ImportedConversion } from './behaviors.js';
import type { Channel } from './channels.js';

export interface CampaignRef {
  readonly campaignId: string;
  /** `campaign_name` when the event carries one. */
  readonly campaignName: string | null;
  readonly variationId: string;
  readonly variationName: string | null;
}

export interface UniqueMark {
  /** `unique_opens`, `unique_clicks`, `unique_impressions`, ... */
  readonly metric: string;
  /** null: only the first event of the chain ever is unique. */
  readonly windowMs: number | null;
  /** The chain within (campaign, variation, user), e.g. `email_open`, `impression:<card id>`. */
  readonly chain: string;
}

export interface NormalizedEvent {
  /** Workspace-unique event id (SPEC §2): the deduplication key. */
  readonly id: string;
  readonly eventType: string;
  /** UTC epoch milliseconds (`time_ms`, else `time` × 1000). */
  readonly instantMs: number;
  /** `external_user_id`, else `user_id` (SPEC §1). */
  readonly userKey: string;
  /** The flattened event as JSON with sorted keys: stored so nothing is lost. */
  readonly payload: string;
  /** Hash of `payload`: a second copy of an id with another hash is a conflict. */
  readonly hash: string;
  /** Set when the event counts for a campaign; null for events that count nowhere. */
  readonly campaign: CampaignRef | null;
  readonly sendId: string | null;
  /** The message channel (null for control enrolment and behaviors). */
  readonly channel: Channel | null;
  /** Catalog metrics the event adds on its day (never `unique_*`, which depend on other events). */
  readonly metrics: readonly string[];
  readonly unique: UniqueMark | null;
  /** A receipt (SPEC §2) makes the user a recipient that day. */
  readonly receipt: boolean;
  /** `users.campaigns.EnrollInControl`: enrols the user in the campaign's control group. */
  readonly enrolsControl: boolean;
  /** A well-formed `users.behaviors.*` event: what conversion behaviors match (SPEC §3). */
  readonly behavior?: Behavior;
  /** A well-formed `users.campaigns.Conversion` event (SPEC §3 "Imported conversions"). */
  readonly importedConversion?: ImportedConversion;
}

/**
 * True when the event counts somewhere; others are stored and reported as `ignored`. Behaviors
 * and imported conversions count: attribution may credit them now or after a later receipt.
 */
export function countsSomewhere(event: NormalizedEvent): boolean {
  return (
    event.campaign !== null ||
    event.behavior !== undefined ||
    event.importedConversion !== undefined
  );
}
