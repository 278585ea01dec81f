/**
 * The answer of both series endpoints (SPEC §5) in the requested `format` (json, or csv:
 * docs/api.md), rendered once and then reused from the SeriesCache while the store is unchanged,
 * and sent gzip-compressed to clients that accept it: a 100-day answer is about 250 KB of text,
 * and writing it, not computing it, is what limits the requests served per second.
 */
import type { FastifyReply } from 'fastify';
import type { Campaign } from '../domain/campaign.js';
import type { SeriesCell } from '../domain/series.js';
import { seriesCsv } from '../domain/series-csv.js';
import { shapeSeries, type SeriesKind } from '../domain/series-shape.js';
import type { DayRange } from '../store/store.js';
import { prefersGzip } from './accept-encoding.js';
import type { RouteDeps } from './context.js';
import { seriesCacheKey, type RenderedAnswer } from './series-cache.js';

/** Below this many characters, gzip's framing and time outweigh the few bytes it would save. */
const MIN_GZIP_LENGTH = 1024;

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
  const answer = await deps.seriesCache.render(deps.store, key, async () => {
    const series = shapeSeries({ campaign, range, cells: await input.cells(), kind });
    return csv ? seriesCsv(series, campaign, kind) : JSON.stringify(series);
  });
  return sendNegotiated(
    reply,
    answer,
    csv ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
  );
}

/**
 * Sends the answer gzip-compressed when the request prefers it, else as it is. A string or a
 * Buffer with its own type is sent past the route's JSON serializer, with its Content-Length.
 */
function sendNegotiated(reply: FastifyReply, answer: RenderedAnswer, type: string): FastifyReply {
  // Every answer of the URL names the header it depends on, so that caches keep both forms.
  reply.type(type).header('vary', 'Accept-Encoding');
  if (
    answer.body.length >= MIN_GZIP_LENGTH &&
    prefersGzip(reply.request.headers['accept-encoding'])
  ) {
    return reply.header('content-encoding', 'gzip').send(answer.gzip());
  }
  return reply.send(answer.body);
}
