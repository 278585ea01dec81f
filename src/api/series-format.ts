/**
 * The answer of both series endpoints (SPEC §5) in the requested `format` (json, or csv:
 * docs/api.md), rendered once and then reused from the SeriesCache while the store is unchanged.
 */
import type { FastifyReply } from 'fastify';
import type { Campaign } from '../domain/campaign.js';
import type { SeriesCell } from '../domain/series.js';
import { seriesCsv } from '../domain/series-csv.js';
import { shapeSeries, type SeriesKind } from '../domain/series-shape.js';
import type { DayRange } from '../store/store.js';
import type { RouteDeps } from './context.js';
import { seriesCacheKey } from './series-cache.js';

export interface SeriesReplyInput {
  readonly workspaceId: string;
  readonly campaign: Campaign;
  readonly range: DayRange;
  readonly kind: SeriesKind;
  /** The send of a send series; null for a campaign series. */
  readonly sendId: string | null;
  readonly format: string | undefined;
  readonly cells: () => Promise<SeriesCell[]>;
}

export async function replySeries(
  reply: FastifyReply,
  deps: RouteDeps,
  input: SeriesReplyInput,
): Promise<FastifyReply> {
  const { workspaceId, campaign, range, kind, sendId } = input;
  const csv = input.format === 'csv';
  const key = seriesCacheKey([
    kind,
    workspaceId,
    campaign.id,
    sendId ?? '',
    range.firstDay,
    range.lastDay,
    csv ? 'csv' : 'json',
  ]);
  const body = await deps.seriesCache.render(deps.store, key, async () => {
    const answer = shapeSeries({ campaign, range, cells: await input.cells(), kind });
    return csv ? seriesCsv(answer, campaign, kind) : JSON.stringify(answer);
  });
  // A string with its own type is sent as it is, past the route's JSON serializer.
  return reply.type(csv ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8').send(body);
}
