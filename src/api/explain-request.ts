/**
 * The common part of the two explain endpoints: the figure a query names (SPEC §5's answer, one
 * day, one field, one entry or the day), checked parameter by parameter, and the value the
 * series answer shows for it.
 */
import type { Campaign } from '../domain/campaign.js';
import { metricRule } from '../domain/catalog.js';
import { figureOfDay } from '../domain/rates.js';
import type { Channel } from '../domain/channels.js';
import type { Figure } from '../domain/explain.js';
import { sendCutoffMs } from '../domain/sends.js';
import { DAY_FIGURES, entryFigures, shapeSeries, type SeriesKind } from '../domain/series-shape.js';
import { parseDay } from '../domain/time.js';
import type { Store } from '../store/store.js';
import { notACampaign, notASend, quote } from './series-request.js';

export interface ExplainQuery {
  readonly campaign_id: string;
  readonly send_id?: string;
  readonly day: string;
  readonly metric: string;
  readonly channel?: string;
  readonly variation_api_id?: string;
}

export interface ResolvedFigure {
  readonly ok: true;
  readonly figure: Figure;
  /** The figure as the series answer shows it. */
  readonly value: number;
  readonly rule: string;
}

type Resolution = ResolvedFigure | { readonly ok: false; readonly message: string };

const refuse = (message: string) => ({ ok: false, message }) as const;

/** The figure's metric and entry (channel and variation of the store's cells), or what is wrong. */
function figureTarget(
  campaign: Campaign,
  kind: SeriesKind,
  query: ExplainQuery,
):
  | { ok: true; channel: Channel | null; variationId: string | null; metric: string }
  | { ok: false; message: string } {
  const { channel, variation_api_id: variationId, metric } = query;
  if (channel === undefined && variationId === undefined) {
    if (!(DAY_FIGURES as readonly string[]).includes(metric)) {
      return refuse(
        `metric ${quote(metric)} is not a figure of the day (${DAY_FIGURES.join(', ')}); for an entry's figure give channel and variation_api_id too`,
      );
    }
    return { ok: true, channel: null, variationId: null, metric };
  }
  if (channel === undefined || variationId === undefined) {
    const missing = channel === undefined ? 'channel' : 'variation_api_id';
    return refuse(`${missing} is missing: an entry's figure takes channel and variation_api_id`);
  }
  const entryChannel = campaign.channels.find((c) => c === channel);
  if (entryChannel === undefined) {
    return refuse(
      `channel ${quote(channel)} is not a channel of campaign ${quote(campaign.id)} (${campaign.channels.join(', ') || 'none'})`,
    );
  }
  const variation = campaign.variations.find((v) => v.id === variationId);
  if (variation === undefined) {
    return refuse(
      `variation_api_id ${quote(variationId)} is not a variation of campaign ${quote(campaign.id)}`,
    );
  }
  const figures = entryFigures(campaign, kind, entryChannel, variation);
  const cellMetric = figures.get(metric);
  if (cellMetric === undefined) {
    return refuse(
      `metric ${quote(metric)} is not a figure of this entry (${[...figures.keys()].join(', ')})`,
    );
  }
  // A control entry's figures are the control group's, the same in every channel.
  return {
    ok: true,
    channel: variation.control ? null : entryChannel,
    variationId,
    metric: cellMetric,
  };
}

export async function resolveExplainRequest(
  store: Store,
  workspaceId: string,
  kind: SeriesKind,
  query: ExplainQuery,
): Promise<Resolution> {
  const campaign = await store.getCampaign(workspaceId, query.campaign_id);
  if (!campaign) return refuse(notACampaign(query.campaign_id));
  const day = parseDay(query.day);
  if (day === undefined) return refuse(`day ${quote(query.day)} is not a date (YYYY-MM-DD)`);
  let send: Figure['send'] = null;
  if (kind === 'send') {
    const sendId = query.send_id ?? '';
    const info = await store.getSend(workspaceId, campaign.id, sendId);
    if (!info) return refuse(notASend(sendId, campaign.id));
    send = { id: sendId, cutoffMs: sendCutoffMs(info.firstReceiptMs) };
  }
  const target = figureTarget(campaign, kind, query);
  if (!target.ok) return target;
  const range = { firstDay: day, lastDay: day };
  const cells =
    send === null
      ? await store.campaignSeries(workspaceId, campaign.id, range)
      : await store.sendSeries(workspaceId, campaign.id, send.id, range);
  // The figure the series answer shows for the query, read from that very answer.
  const [shown] = shapeSeries({ campaign, range, cells, kind }).data;
  const where = { channel: query.channel ?? null, variationId: query.variation_api_id ?? null };
  const value = figureOfDay(shown!, where, query.metric);
  const { channel, variationId, metric } = target;
  return {
    ok: true,
    figure: { campaignId: campaign.id, send, day, channel, variationId, metric },
    value,
    rule: metricRule(channel, metric)!,
  };
}
