/**
 * Campaign listings (SPEC §7 `/campaigns/list`, `/campaigns/details`) and send ids created
 * ahead of their events (`/sends/id/create`). Like everything here they are appends read as
 * extremes (min/max), so copies of a row and arrival order change nothing; what events show
 * comes from the `campaign_seen` rollup (rollup-schema.ts).
 */
import type { CampaignDefinition } from '../../domain/campaign.js';
import { campaignListing } from '../../domain/campaign-listing.js';
import type { CampaignListing, ReceiptSpan } from '../store.js';
import { params, type ClickHouseHttp } from './http.js';

const WORKSPACE = 'workspace_id = (SELECT ws FROM p)';
const CAMPAIGN = `${WORKSPACE} AND campaign_id = (SELECT campaign FROM p)`;

/** Output names differ from the columns: a ClickHouse alias would shadow its column. */
const DEFINITIONS_SQL = `
SELECT campaign_id, argMax(definition, version) AS latest, max(version) AS latest_version
FROM campaign_definitions WHERE ${WORKSPACE} GROUP BY campaign_id`;

const EDITS_SQL = `
SELECT campaign_id, min(edited_ms) AS first_ms, max(edited_ms) AS last_ms
FROM campaign_edits WHERE ${WORKSPACE} GROUP BY campaign_id`;

const SEEN_SQL = `
SELECT campaign_id, tupleElement(minMerge(seen_first), 1) AS first_ms,
  argMaxIfMerge(seen_campaign_name) AS latest_name
FROM campaign_seen WHERE ${WORKSPACE} GROUP BY campaign_id`;

const RECEIPTS_SQL = `
SELECT maxMerge(seen_receipt) AS receipts, minIfMerge(first_receipt) AS first_ms,
  maxIfMerge(last_receipt) AS last_ms
FROM campaign_seen WHERE ${CAMPAIGN}`;

const CREATED_SEND_SQL = `
SELECT count() AS found FROM created_sends WHERE ${CAMPAIGN} AND send_id = (SELECT send FROM p)`;

const CREATED_SENDS_SQL = `SELECT send_id FROM created_sends WHERE ${CAMPAIGN}`;

interface DefinitionRow {
  campaign_id: string;
  latest: string;
  latest_version: number;
}

interface EditRow {
  campaign_id: string;
  first_ms: number;
  last_ms: number;
}

interface SeenRow {
  campaign_id: string;
  first_ms: number;
  latest_name: string;
}

export class Listings {
  constructor(private readonly db: ClickHouseHttp) {}

  async recordEdit(workspaceId: string, campaignId: string, nowMs: number): Promise<void> {
    await this.db.insert('campaign_edits', [
      { workspace_id: workspaceId, campaign_id: campaignId, edited_ms: nowMs },
    ]);
  }

  async list(workspaceId: string): Promise<CampaignListing[]> {
    const p = params({ ws: ['String', workspaceId] });
    const [definitions, edits, seen] = await Promise.all([
      this.db.query<DefinitionRow>(DEFINITIONS_SQL, [p]),
      this.db.query<EditRow>(EDITS_SQL, [p]),
      this.db.query<SeenRow>(SEEN_SQL, [p]),
    ]);
    const definitionById = new Map(definitions.map((row) => [row.campaign_id, row]));
    const editsById = new Map(edits.map((row) => [row.campaign_id, row]));
    const seenById = new Map(seen.map((row) => [row.campaign_id, row]));
    const ids = new Set([...definitionById.keys(), ...seenById.keys()]);
    return [...ids].map((id) => {
      const definition = definitionById.get(id);
      const edit = editsById.get(id);
      const event = seenById.get(id);
      // A definition written before campaign_edits existed is dated by its version
      // (microseconds of wall time, version.ts): its latest edit is all that is known.
      const definedMs = definition && Math.floor(definition.latest_version / 1000);
      return campaignListing({
        id,
        definition: definition ? (JSON.parse(definition.latest) as CampaignDefinition) : null,
        firstDefinedMs: edit?.first_ms ?? definedMs ?? null,
        lastDefinedMs: edit?.last_ms ?? definedMs ?? null,
        seenName: event?.latest_name || null,
        firstEventMs: event?.first_ms ?? null,
      });
    });
  }

  async receiptSpan(workspaceId: string, campaignId: string): Promise<ReceiptSpan | undefined> {
    const p = params({ ws: ['String', workspaceId], campaign: ['String', campaignId] });
    const [row] = await this.db.query<{ receipts: number; first_ms: number; last_ms: number }>(
      RECEIPTS_SQL,
      [p],
    );
    return row && row.receipts > 0 ? { firstMs: row.first_ms, lastMs: row.last_ms } : undefined;
  }

  async createSend(
    workspaceId: string,
    campaignId: string,
    sendId: string,
    nowMs: number,
  ): Promise<void> {
    await this.db.insert('created_sends', [
      { workspace_id: workspaceId, campaign_id: campaignId, send_id: sendId, created_ms: nowMs },
    ]);
  }

  async createdSendIds(workspaceId: string, campaignId: string): Promise<string[]> {
    const p = params({ ws: ['String', workspaceId], campaign: ['String', campaignId] });
    const rows = await this.db.query<{ send_id: string }>(CREATED_SENDS_SQL, [p]);
    return rows.map((row) => row.send_id);
  }

  async sendCreated(workspaceId: string, campaignId: string, sendId: string): Promise<boolean> {
    const p = params({
      ws: ['String', workspaceId],
      campaign: ['String', campaignId],
      send: ['String', sendId],
    });
    const [row] = await this.db.query<{ found: number }>(CREATED_SEND_SQL, [p]);
    return (row?.found ?? 0) > 0;
  }
}
