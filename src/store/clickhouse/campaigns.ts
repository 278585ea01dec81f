/**
 * The campaign model (SPEC §5, §7): the stored definition merged with what the events show.
 *
 * What events show is kept by `campaign_seen` (rollup-schema.ts) as extremes over (instant, id)
 * — first seen, latest name — and distinct sets, so it is independent of arrival order and of
 * duplicate copies.
 */
import { mergeCampaign, type Campaign, type CampaignDefinition } from '../../domain/campaign.js';
import { pushButtonTitles } from '../../domain/catalog.js';
import type { Channel } from '../../domain/channels.js';
import { params, type ClickHouseHttp } from './http.js';
import { nextVersion } from './version.js';

const CAMPAIGN = 'workspace_id = (SELECT ws FROM p) AND campaign_id = (SELECT campaign FROM p)';

const DEFINITION_SQL = `
SELECT argMax(definition, version) AS definition FROM campaign_definitions
WHERE ${CAMPAIGN} GROUP BY workspace_id, campaign_id`;

/** The campaign's latest event name and every channel seen. */
const SEEN_CAMPAIGN_SQL = `
SELECT argMaxIfMerge(seen_campaign_name) AS name, groupUniqArrayIfMerge(seen_channels) AS channels
FROM campaign_seen WHERE ${CAMPAIGN}`;

/** Variations in first-seen order, each with its latest event name. */
const SEEN_VARIATIONS_SQL = `
SELECT variation_id, minMerge(seen_first) AS first, maxMerge(seen_control) AS control,
  argMaxIfMerge(seen_variation_name) AS name
FROM campaign_seen WHERE ${CAMPAIGN}
GROUP BY variation_id
ORDER BY first`;

/** Push buttons (stored as their metric) in order of first appearance. */
const SEEN_BUTTONS_SQL = `
SELECT variation_id, title, minMerge(first_seen) AS first
FROM button_seen WHERE ${CAMPAIGN}
GROUP BY variation_id, title
ORDER BY first, title`;

interface SeenVariationRow {
  variation_id: string;
  control: number;
  name: string;
}

export class CampaignModel {
  constructor(private readonly db: ClickHouseHttp) {}

  async define(workspaceId: string, definition: CampaignDefinition): Promise<void> {
    await this.db.insert('campaign_definitions', [
      {
        workspace_id: workspaceId,
        campaign_id: definition.campaign_id,
        definition: JSON.stringify(definition),
        version: nextVersion(),
      },
    ]);
  }

  async get(workspaceId: string, campaignId: string): Promise<Campaign | undefined> {
    const p = params({ ws: ['String', workspaceId], campaign: ['String', campaignId] });
    const [definitions, [seen], variations, buttonRows] = await Promise.all([
      this.db.query<{ definition: string }>(DEFINITION_SQL, [p]),
      this.db.query<{ name: string; channels: Channel[] }>(SEEN_CAMPAIGN_SQL, [p]),
      this.db.query<SeenVariationRow>(SEEN_VARIATIONS_SQL, [p]),
      this.db.query<{ variation_id: string; title: string }>(SEEN_BUTTONS_SQL, [p]),
    ]);
    const buttons = new Map<string, string[]>();
    for (const { variation_id, title } of buttonRows) {
      buttons.set(variation_id, [
        ...(buttons.get(variation_id) ?? []),
        ...pushButtonTitles([title]),
      ]);
    }
    const definition = definitions[0]
      ? (JSON.parse(definitions[0].definition) as CampaignDefinition)
      : null;
    // Every campaign event names a variation, so no variation seen means no event seen.
    if (!definition && variations.length === 0) return undefined;
    return mergeCampaign(campaignId, definition, {
      name: seen?.name ?? null,
      channels: seen?.channels ?? [],
      variations: variations.map((v) => ({
        id: v.variation_id,
        name: v.name,
        control: v.control === 1,
        buttons: buttons.get(v.variation_id) ?? [],
      })),
    });
  }
}
