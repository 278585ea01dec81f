/**
 * The campaign model (SPEC §5, §7): a definition merged with what the events showed.
 *
 * What events show is kept as extremes over (instant, id) — earliest event, latest name —
 * so it is the same whatever order the events arrive in.
 */
import type { Statement } from 'better-sqlite3';
import { mergeCampaign, type Campaign, type CampaignDefinition } from '../../domain/campaign.js';
import { pushButtonTitles } from '../../domain/catalog.js';
import type { Channel } from '../../domain/channels.js';
import type { NormalizedEvent } from '../../domain/event.js';
import type { Db } from './schema.js';

/** The earliest event and the latest named event of a campaign or variation, in one batch. */
interface Seen {
  firstInstantMs: number;
  firstId: string;
  name: string | null;
  nameInstantMs: number | null;
  nameId: string | null;
  control: boolean;
}

const before = (aMs: number, aId: string, bMs: number, bId: string): boolean =>
  aMs < bMs || (aMs === bMs && aId < bId);

function see(
  map: Map<string, Seen>,
  key: string,
  event: NormalizedEvent,
  name: string | null,
): void {
  let seen = map.get(key);
  if (!seen) {
    seen = {
      firstInstantMs: event.instantMs,
      firstId: event.id,
      name: null,
      nameInstantMs: null,
      nameId: null,
      control: false,
    };
    map.set(key, seen);
  } else if (before(event.instantMs, event.id, seen.firstInstantMs, seen.firstId)) {
    seen.firstInstantMs = event.instantMs;
    seen.firstId = event.id;
  }
  const laterName =
    seen.nameInstantMs === null ||
    before(seen.nameInstantMs, seen.nameId!, event.instantMs, event.id);
  if (name !== null && laterName) {
    seen.name = name;
    seen.nameInstantMs = event.instantMs;
    seen.nameId = event.id;
  }
  seen.control ||= event.enrolsControl;
}

/**
 * Keeps the stored extreme or takes the incoming one: (first) the earlier event, (name) the
 * later named event. Row values compare (instant, id) as SPEC orders events.
 */
const MERGE_SEEN = `
  first_instant_ms = CASE WHEN (excluded.first_instant_ms, excluded.first_id) < (first_instant_ms, first_id)
    THEN excluded.first_instant_ms ELSE first_instant_ms END,
  first_id = CASE WHEN (excluded.first_instant_ms, excluded.first_id) < (first_instant_ms, first_id)
    THEN excluded.first_id ELSE first_id END,
  name = CASE WHEN ${takesName()} THEN excluded.name ELSE name END,
  name_instant_ms = CASE WHEN ${takesName()} THEN excluded.name_instant_ms ELSE name_instant_ms END,
  name_id = CASE WHEN ${takesName()} THEN excluded.name_id ELSE name_id END`;

function takesName(): string {
  return `excluded.name IS NOT NULL AND (name IS NULL
    OR (excluded.name_instant_ms, excluded.name_id) > (name_instant_ms, name_id))`;
}

interface SeenRow {
  name: string | null;
}

interface SeenVariationRow extends SeenRow {
  variation_id: string;
  control: number;
}

export class CampaignModel {
  private readonly upsertCampaign: Statement;
  private readonly upsertVariation: Statement;
  private readonly addChannel: Statement;
  private readonly addReceiptSpan: Statement<[string, string, number, number]>;
  private readonly saveDefinition: Statement;
  private readonly definition: Statement<[string, string], { definition: string }>;
  private readonly seenCampaign: Statement<[string, string], SeenRow>;
  private readonly seenVariations: Statement<[string, string], SeenVariationRow>;
  private readonly seenChannels: Statement<[string, string], { channel: Channel }>;
  private readonly upsertButton: Statement;
  private readonly seenButtons: Statement<
    [string, string],
    { variation_id: string; title: string }
  >;

  constructor(db: Db) {
    this.upsertCampaign = db.prepare(
      `INSERT INTO seen_campaigns (ws, campaign_id, first_instant_ms, first_id, name, name_instant_ms, name_id)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT DO UPDATE SET ${MERGE_SEEN}`,
    );
    this.upsertVariation = db.prepare(
      `INSERT INTO seen_variations
         (ws, campaign_id, variation_id, first_instant_ms, first_id, name, name_instant_ms, name_id, control)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT DO UPDATE SET ${MERGE_SEEN}, control = max(control, excluded.control)`,
    );
    this.addChannel = db.prepare('INSERT OR IGNORE INTO seen_channels VALUES (?, ?, ?)');
    this.addReceiptSpan = db.prepare(
      `INSERT INTO receipt_spans (ws, campaign_id, first_ms, last_ms) VALUES (?, ?, ?, ?)
       ON CONFLICT DO UPDATE SET first_ms = min(first_ms, excluded.first_ms),
         last_ms = max(last_ms, excluded.last_ms)`,
    );
    this.saveDefinition = db.prepare(
      `INSERT INTO campaign_definitions (ws, campaign_id, definition) VALUES (?, ?, ?)
       ON CONFLICT DO UPDATE SET definition = excluded.definition`,
    );
    this.definition = db.prepare(
      'SELECT definition FROM campaign_definitions WHERE ws = ? AND campaign_id = ?',
    );
    this.seenCampaign = db.prepare(
      'SELECT name FROM seen_campaigns WHERE ws = ? AND campaign_id = ?',
    );
    this.seenVariations = db.prepare(
      `SELECT variation_id, name, control FROM seen_variations WHERE ws = ? AND campaign_id = ?
       ORDER BY first_instant_ms, first_id`,
    );
    this.seenChannels = db.prepare(
      'SELECT channel FROM seen_channels WHERE ws = ? AND campaign_id = ?',
    );
    this.upsertButton = db.prepare(
      `INSERT INTO seen_buttons (ws, campaign_id, variation_id, title, first_instant_ms, first_id)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT DO UPDATE SET
         first_instant_ms = CASE WHEN (excluded.first_instant_ms, excluded.first_id) < (first_instant_ms, first_id)
           THEN excluded.first_instant_ms ELSE first_instant_ms END,
         first_id = CASE WHEN (excluded.first_instant_ms, excluded.first_id) < (first_instant_ms, first_id)
           THEN excluded.first_id ELSE first_id END`,
    );
    this.seenButtons = db.prepare(
      `SELECT variation_id, title FROM seen_buttons WHERE ws = ? AND campaign_id = ?
       ORDER BY first_instant_ms, first_id, title`,
    );
  }

  /** Records what the newly stored campaign events show, one upsert per distinct key. */
  record(workspaceId: string, events: readonly NormalizedEvent[]): void {
    const campaigns = new Map<string, Seen>();
    const variations = new Map<string, Seen>();
    const variationRefs = new Map<string, [campaignId: string, variationId: string]>();
    const channels = new Map<string, [campaignId: string, channel: Channel]>();
    const receiptSpans = new Map<string, [firstMs: number, lastMs: number]>();
    for (const event of events) {
      const ref = event.campaign;
      if (!ref) continue;
      if (event.receipt) {
        const span = receiptSpans.get(ref.campaignId);
        if (!span) receiptSpans.set(ref.campaignId, [event.instantMs, event.instantMs]);
        else {
          span[0] = Math.min(span[0], event.instantMs);
          span[1] = Math.max(span[1], event.instantMs);
        }
      }
      see(campaigns, ref.campaignId, event, ref.campaignName);
      const key = `${ref.campaignId}\u0000${ref.variationId}`;
      see(variations, key, event, ref.variationName);
      variationRefs.set(key, [ref.campaignId, ref.variationId]);
      if (event.channel) {
        channels.set(`${ref.campaignId}\u0000${event.channel}`, [ref.campaignId, event.channel]);
      }
      for (const title of pushButtonTitles(event.metrics)) {
        this.upsertButton.run(
          workspaceId,
          ref.campaignId,
          ref.variationId,
          title,
          event.instantMs,
          event.id,
        );
      }
    }
    for (const [campaignId, s] of campaigns) {
      this.upsertCampaign.run(workspaceId, campaignId, ...seenValues(s));
    }
    for (const [key, [campaignId, variationId]] of variationRefs) {
      const s = variations.get(key)!;
      this.upsertVariation.run(
        workspaceId,
        campaignId,
        variationId,
        ...seenValues(s),
        s.control ? 1 : 0,
      );
    }
    for (const [campaignId, channel] of channels.values()) {
      this.addChannel.run(workspaceId, campaignId, channel);
    }
    for (const [campaignId, [firstMs, lastMs]] of receiptSpans) {
      this.addReceiptSpan.run(workspaceId, campaignId, firstMs, lastMs);
    }
  }

  define(workspaceId: string, definition: CampaignDefinition): void {
    this.saveDefinition.run(workspaceId, definition.campaign_id, JSON.stringify(definition));
  }

  get(workspaceId: string, campaignId: string): Campaign | undefined {
    const stored = this.definition.get(workspaceId, campaignId);
    const definition = stored ? (JSON.parse(stored.definition) as CampaignDefinition) : null;
    const seen = this.seenCampaign.get(workspaceId, campaignId);
    if (!definition && !seen) return undefined;
    const buttons = new Map<string, string[]>();
    for (const { variation_id, title } of this.seenButtons.all(workspaceId, campaignId)) {
      buttons.set(variation_id, [...(buttons.get(variation_id) ?? []), title]);
    }
    return mergeCampaign(campaignId, definition, {
      name: seen?.name ?? null,
      channels: this.seenChannels.all(workspaceId, campaignId).map((r) => r.channel),
      variations: this.seenVariations.all(workspaceId, campaignId).map((v) => ({
        id: v.variation_id,
        name: v.name,
        control: v.control === 1,
        buttons: buttons.get(v.variation_id) ?? [],
      })),
    });
  }
}

function seenValues(s: Seen): [number, string, string | null, number | null, string | null] {
  return [s.firstInstantMs, s.firstId, s.name, s.nameInstantMs, s.nameId];
}
