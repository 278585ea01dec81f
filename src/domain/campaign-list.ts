/**
 * The page rules of `GET /campaigns/list` (SPEC §7): archived campaigns only on request,
 * an optional "edited after" filter, order by creation (ties by id, so pages never overlap or
 * skip a campaign), 100 a page, 0-based; a page past the end is empty.
 */
import type { CampaignListing } from './campaign-listing.js';

export const CAMPAIGNS_PAGE_SIZE = 100;

export interface CampaignListQuery {
  readonly page: number;
  readonly includeArchived: boolean;
  readonly direction: 'asc' | 'desc';
  /** Only campaigns last edited strictly after this instant; null: no filter. */
  readonly editedAfterMs: number | null;
}

export function pageOfCampaigns(
  listings: readonly CampaignListing[],
  query: CampaignListQuery,
): CampaignListing[] {
  const sign = query.direction === 'asc' ? 1 : -1;
  const start = query.page * CAMPAIGNS_PAGE_SIZE;
  return listings
    .filter((c) => query.includeArchived || !c.archived)
    .filter((c) => query.editedAfterMs === null || c.lastEditedMs > query.editedAfterMs)
    .sort(
      (a, b) => sign * (a.createdAtMs - b.createdAtMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    )
    .slice(start, start + CAMPAIGNS_PAGE_SIZE);
}
