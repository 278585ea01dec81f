/**
 * The common part of the two series endpoints (SPEC §5): find the campaign in the caller's
 * workspace and resolve `length`/`ending_at` to days in the workspace's reporting zone.
 */
import type { Campaign } from '../domain/campaign.js';
import { resolveDayRange } from '../domain/ending-at.js';
import type { DayRange, Store } from '../store/store.js';
import type { SeriesQuery } from './schemas.js';

export type SeriesRequest =
  | { readonly ok: true; readonly campaign: Campaign; readonly range: DayRange }
  | { readonly ok: false; readonly message: string };

/** Quotes a client value in a message, cut short so a huge parameter can't bloat the answer. */
export function quote(text: string): string {
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}...` : text);
}

/** The 400 message of every endpoint given a campaign_id its workspace does not have. */
export function notACampaign(campaignId: string): string {
  return `campaign_id ${quote(campaignId)} is not a campaign of this workspace`;
}

/** The 400 message of every endpoint given a send_id the campaign does not have. */
export function notASend(sendId: string, campaignId: string): string {
  return `send_id ${quote(sendId)} is not a send of campaign ${quote(campaignId)}`;
}

export async function resolveSeriesRequest(
  store: Store,
  workspaceId: string,
  query: SeriesQuery,
  nowMs: number,
): Promise<SeriesRequest> {
  const workspace = await store.getWorkspace(workspaceId);
  if (!workspace) throw new Error(`workspace ${workspaceId} of a valid key does not exist`);
  const campaign = await store.getCampaign(workspaceId, query.campaign_id);
  if (!campaign) {
    return {
      ok: false,
      message: notACampaign(query.campaign_id),
    };
  }
  const range = resolveDayRange(
    { length: query.length, endingAt: query.ending_at },
    workspace.timezone,
    nowMs,
  );
  if (!range.ok) return range;
  return { ok: true, campaign, range: range.range };
}
