/**
 * How a campaign is dated and labelled in `/campaigns/list` and `/campaigns/details`
 * (SPEC §7), from what a store keeps: its definition, the edit instants of that definition,
 * and what its events showed. One rule for every store.
 */
import type { CampaignDefinition } from './campaign.js';

/** A campaign as `/campaigns/list` and `/campaigns/details` date it (SPEC §7). */
export interface CampaignListing {
  readonly id: string;
  /** Defined name, else the latest event name, else the id (as in Campaign). */
  readonly name: string;
  /**
   * The earlier of its first definition and its earliest event: a campaign whose history was
   * imported existed when its first event happened, even if it was defined later.
   */
  readonly createdAtMs: number;
  /** Its latest definition; createdAtMs when it was never defined. */
  readonly lastEditedMs: number;
  readonly archived: boolean;
  readonly isApiCampaign: boolean;
  readonly tags: readonly string[];
}

export interface ListingFacts {
  readonly id: string;
  readonly definition: CampaignDefinition | null;
  /** First and latest definition instants; null when never defined. */
  readonly firstDefinedMs: number | null;
  readonly lastDefinedMs: number | null;
  /** Latest event name and earliest event instant; null when no event was seen. */
  readonly seenName: string | null;
  readonly firstEventMs: number | null;
}

export function campaignListing(facts: ListingFacts): CampaignListing {
  const { id, definition, firstDefinedMs, lastDefinedMs, seenName, firstEventMs } = facts;
  const known = [firstDefinedMs, firstEventMs].filter((ms): ms is number => ms !== null);
  if (known.length === 0) throw new Error(`campaign ${id} has neither a definition nor events`);
  const createdAtMs = Math.min(...known);
  return {
    id,
    name: definition?.name || seenName || id,
    createdAtMs,
    lastEditedMs: lastDefinedMs ?? createdAtMs,
    archived: definition?.archived === true,
    isApiCampaign: definition?.is_api_campaign === true,
    tags: definition?.tags ?? [],
  };
}
