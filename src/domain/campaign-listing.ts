/**
 * How a campaign is dated and labelled in `/campaigns/list` and `/campaigns/details`
 * (SPEC §7), from what a store keeps: its definition, the edit instants of that definition,
 * and what its events showed. One rule for every store.
 */
import type { CampaignDefinition } from './campaign.js';
import type { CampaignListing } from '../store/store.js';

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
