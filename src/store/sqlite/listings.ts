/**
 * Campaign listings (SPEC §7 `/campaigns/list`, `/campaigns/details`): definition edit
 * instants, the workspace's campaigns, and the receipt extremes of one campaign.
 */
import type { Statement } from 'better-sqlite3';
import type { CampaignDefinition } from '../../domain/campaign.js';
import { campaignListing } from '../../domain/campaign-listing.js';
import type { CampaignListing, ReceiptSpan } from '../store.js';
import type { Db } from './schema.js';

interface ListingRow {
  id: string;
  definition: string | null;
  created_at_ms: number | null;
  edited_at_ms: number | null;
  seen_name: string | null;
  first_instant_ms: number | null;
}

export class Listings {
  private readonly edit: Statement<{ ws: string; campaign: string; now: number }>;
  private readonly all: Statement<{ ws: string }, ListingRow>;
  private readonly receipts: Statement<
    { ws: string; campaign: string },
    { first: number; last: number }
  >;

  constructor(db: Db) {
    this.edit = db.prepare(
      `INSERT INTO campaign_edits (ws, campaign_id, created_at_ms, edited_at_ms) VALUES (@ws, @campaign, @now, @now)
       ON CONFLICT DO UPDATE SET
         created_at_ms = min(created_at_ms, excluded.created_at_ms),
         edited_at_ms = max(edited_at_ms, excluded.edited_at_ms)`,
    );
    this.all = db.prepare(
      `WITH ids AS (
         SELECT campaign_id FROM campaign_definitions WHERE ws = @ws
         UNION SELECT campaign_id FROM seen_campaigns WHERE ws = @ws)
       SELECT ids.campaign_id AS id, d.definition, e.created_at_ms, e.edited_at_ms,
         s.name AS seen_name, s.first_instant_ms
       FROM ids
       LEFT JOIN campaign_definitions d ON d.ws = @ws AND d.campaign_id = ids.campaign_id
       LEFT JOIN campaign_edits e ON e.ws = @ws AND e.campaign_id = ids.campaign_id
       LEFT JOIN seen_campaigns s ON s.ws = @ws AND s.campaign_id = ids.campaign_id`,
    );
    // Kept at ingest (campaigns.ts); no row when the campaign has no receipt.
    this.receipts = db.prepare(
      `SELECT first_ms AS first, last_ms AS last FROM receipt_spans
       WHERE ws = @ws AND campaign_id = @campaign`,
    );
  }

  /** Dates a definition; the earliest and latest edits are kept, whatever the clock did. */
  recordEdit(workspaceId: string, campaignId: string, nowMs: number): void {
    this.edit.run({ ws: workspaceId, campaign: campaignId, now: nowMs });
  }

  list(workspaceId: string): CampaignListing[] {
    return this.all.all({ ws: workspaceId }).map((row) =>
      campaignListing({
        id: row.id,
        definition: row.definition ? (JSON.parse(row.definition) as CampaignDefinition) : null,
        firstDefinedMs: row.created_at_ms,
        lastDefinedMs: row.edited_at_ms,
        seenName: row.seen_name,
        firstEventMs: row.first_instant_ms,
      }),
    );
  }

  receiptSpan(workspaceId: string, campaignId: string): ReceiptSpan | undefined {
    const span = this.receipts.get({ ws: workspaceId, campaign: campaignId });
    return span ? { firstMs: span.first, lastMs: span.last } : undefined;
  }
}
