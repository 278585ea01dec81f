/**
 * The stored events explanations read (src/store/explain.ts): a campaign's events of a span
 * (an index range of `events_campaign_time`, or of `events_send` for one send), and whole
 * unique chains (`events_chain`).
 */
import type { Statement } from 'better-sqlite3';
import type { Channel } from '../../domain/channels.js';
import type { CampaignEvent, CampaignEventQuery, ChainRef } from '../../domain/explain.js';
import type { RecipientSpan } from './attribution.js';
import { splitMetrics } from './rollup.js';
import type { Db } from './schema.js';

const COLUMNS = `id, event_type, user_key, instant_ms, channel, variation_id, send_id, metrics,
  unique_metric, unique_window_ms, unique_chain, receipt, enrols_control`;

/** An entry's events only, when the query names its channel or variation. */
const IN_ENTRY = `(@channel IS NULL OR channel = @channel)
  AND (@variation IS NULL OR variation_id = @variation)`;

interface SpanParams {
  ws: string;
  campaign: string;
  send: string | null;
  fromMs: number;
  toMs: number;
  channel: string | null;
  variation: string | null;
}

interface EventRow {
  id: string;
  event_type: string;
  user_key: string;
  instant_ms: number;
  channel: string | null;
  variation_id: string;
  send_id: string | null;
  metrics: string;
  unique_metric: string | null;
  unique_window_ms: number | null;
  unique_chain: string | null;
  receipt: number;
  enrols_control: number;
}

function campaignEventOf(row: EventRow): CampaignEvent {
  return {
    id: row.id,
    eventType: row.event_type,
    userKey: row.user_key,
    instantMs: row.instant_ms,
    channel: row.channel as Channel | null,
    variationId: row.variation_id,
    sendId: row.send_id,
    metrics: splitMetrics(row.metrics),
    unique:
      row.unique_metric === null
        ? null
        : {
            metric: row.unique_metric,
            windowMs: row.unique_window_ms,
            chain: row.unique_chain ?? '',
          },
    receipt: row.receipt === 1,
    enrolsControl: row.enrols_control === 1,
  };
}

export class ExplainReads {
  private readonly span: Statement<[SpanParams], EventRow>;
  private readonly sendSpan: Statement<[SpanParams], EventRow>;
  private readonly chain: Statement<[string, string, string, string, string, number], EventRow>;
  private readonly sendRecipients: Statement<
    [string, string, string],
    { user_key: string; first_ms: number; last_ms: number }
  >;

  constructor(db: Db) {
    this.span = db.prepare(
      `SELECT ${COLUMNS} FROM events WHERE ws = @ws AND campaign_id = @campaign
       AND campaign_id IS NOT NULL AND instant_ms >= @fromMs AND instant_ms < @toMs AND ${IN_ENTRY}`,
    );
    this.sendSpan = db.prepare(
      `SELECT ${COLUMNS} FROM events WHERE ws = @ws AND campaign_id = @campaign AND send_id = @send
       AND instant_ms >= @fromMs AND instant_ms < @toMs AND ${IN_ENTRY}`,
    );
    this.chain = db.prepare(
      `SELECT ${COLUMNS} FROM events
       WHERE ws = ? AND campaign_id = ? AND variation_id = ? AND user_key = ? AND unique_chain = ?
       AND instant_ms < ?`,
    );
    this.sendRecipients = db.prepare(
      `SELECT user_key, min(instant_ms) AS first_ms, max(instant_ms) AS last_ms FROM events
       WHERE ws = ? AND campaign_id = ? AND send_id = ? AND receipt = 1 GROUP BY user_key`,
    );
  }

  /** The send's recipients with the span of their receipts: who can hold its credits. */
  recipientsOf(
    workspaceId: string,
    campaignId: string,
    sendId: string,
  ): Map<string, RecipientSpan> {
    const rows = this.sendRecipients.all(workspaceId, campaignId, sendId);
    return new Map(
      rows.map((row) => [row.user_key, { firstMs: row.first_ms, lastMs: row.last_ms }]),
    );
  }

  campaignEvents(
    workspaceId: string,
    campaignId: string,
    { span, sendId, channel, variationId }: CampaignEventQuery,
  ): CampaignEvent[] {
    const params: SpanParams = {
      ws: workspaceId,
      campaign: campaignId,
      send: sendId,
      fromMs: span.fromMs,
      toMs: span.toMs,
      channel,
      variation: variationId,
    };
    const rows = sendId === null ? this.span.all(params) : this.sendSpan.all(params);
    return rows.map(campaignEventOf);
  }

  chainEvents(
    workspaceId: string,
    campaignId: string,
    chains: readonly ChainRef[],
    beforeMs: number,
  ): CampaignEvent[] {
    return chains.flatMap(({ variationId, userKey, chain }) =>
      this.chain
        .all(workspaceId, campaignId, variationId, userKey, chain, beforeMs)
        .map(campaignEventOf),
    );
  }
}
