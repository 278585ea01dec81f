/**
 * The stored events explanations read (src/store/explain.ts): a campaign's events of a span
 * (an index range of `campaign_timeline`), and the whole unique chains of some users (of
 * `events`, ordered by campaign and user).
 * Copies of an event not merged yet come back twice; the explanations read each id once.
 */
import type { Channel } from '../../domain/channels.js';
import type { CampaignEvent, CampaignEventQuery, ChainRef } from '../../domain/explain.js';
import { params, type ClickHouseHttp } from './http.js';

const COLUMNS = `id, event_type, user_key, instant_ms, channel, variation_id, send_id, metrics,
  unique_metric, unique_window_ms, unique_chain, receipt, enrols_control`;

const CAMPAIGN = 'workspace_id = (SELECT ws FROM p) AND campaign_id = (SELECT campaign FROM p)';

/** A campaign's day: an index range of the timeline (schema.ts, version 9). */
const SPAN_SQL = `
SELECT ${COLUMNS} FROM campaign_timeline
WHERE ${CAMPAIGN} AND instant_ms >= (SELECT from_ms FROM p) AND instant_ms < (SELECT to_ms FROM p)
  AND (send_id = (SELECT send FROM p) OR (SELECT send FROM p) = '')
  AND (channel = (SELECT channel FROM p) OR (SELECT any_channel FROM p) = 1)
  AND (variation_id = (SELECT variation FROM p) OR (SELECT any_variation FROM p) = 1)`;

const CHAINS_SQL = `
SELECT ${COLUMNS} FROM events
WHERE ${CAMPAIGN} AND user_key IN (SELECT arrayJoin(users) FROM p)
  AND unique_chain != '' AND instant_ms < (SELECT before_ms FROM p)`;

interface EventRow {
  id: string;
  event_type: string;
  user_key: string;
  instant_ms: number | string;
  channel: string;
  variation_id: string;
  send_id: string;
  metrics: string[];
  unique_metric: string;
  unique_window_ms: number | string;
  unique_chain: string;
  receipt: number;
  enrols_control: number;
}

/** '' and 0 stand for "none" in ClickHouse's columns (schema.ts). */
function campaignEventOf(row: EventRow): CampaignEvent {
  const windowMs = Number(row.unique_window_ms);
  return {
    id: row.id,
    eventType: row.event_type,
    userKey: row.user_key,
    instantMs: Number(row.instant_ms),
    channel: row.channel === '' ? null : (row.channel as Channel),
    variationId: row.variation_id,
    sendId: row.send_id === '' ? null : row.send_id,
    metrics: row.metrics,
    unique:
      row.unique_metric === ''
        ? null
        : {
            metric: row.unique_metric,
            windowMs: windowMs === 0 ? null : windowMs,
            chain: row.unique_chain,
          },
    receipt: row.receipt === 1,
    enrolsControl: row.enrols_control === 1,
  };
}

export class ExplainReads {
  constructor(private readonly db: ClickHouseHttp) {}

  async campaignEvents(
    workspaceId: string,
    campaignId: string,
    { span, sendId, channel, variationId }: CampaignEventQuery,
  ): Promise<CampaignEvent[]> {
    const p = params({
      ws: ['String', workspaceId],
      campaign: ['String', campaignId],
      from_ms: ['Int64', span.fromMs],
      to_ms: ['Int64', span.toMs],
      send: ['String', sendId ?? ''],
      channel: ['String', channel ?? ''],
      any_channel: ['UInt8', channel === null ? 1 : 0],
      variation: ['String', variationId ?? ''],
      any_variation: ['UInt8', variationId === null ? 1 : 0],
    });
    return (await this.db.query<EventRow>(SPAN_SQL, [p])).map(campaignEventOf);
  }

  async chainEvents(
    workspaceId: string,
    campaignId: string,
    chains: readonly ChainRef[],
    beforeMs: number,
  ): Promise<CampaignEvent[]> {
    if (chains.length === 0) return [];
    const p = params({
      ws: ['String', workspaceId],
      campaign: ['String', campaignId],
      users: ['Array(String)', [...new Set(chains.map((chain) => chain.userKey))]],
      before_ms: ['Int64', beforeMs],
    });
    // Every chain of these users: explainUniques ranks each and reads only the candidates'.
    return (await this.db.query<EventRow>(CHAINS_SQL, [p])).map(campaignEventOf);
  }
}
