/**
 * The series queries (SPEC §2, §4, §5). A campaign series reads computed local days built
 * from the rollups (day-figures.ts). A send series is computed from the stored events at query
 * time, so it is a function of the event set whatever the state of ClickHouse's merges:
 * - additive metrics read `events FINAL` (re-delivered copies folded even before a merge);
 * - distinct users (`unique_recipients`) are `uniqExact`, which copies don't move;
 * - unique chains are ranked over the campaign's whole history. A chain whose events all fall
 *   within one window (or a first-ever chain) has exactly one unique event, its first, which SQL
 *   counts; the few longer chains come back as sorted arrays and are ranked here.
 * Local days come from the reporting zone's offsets, computed in Node (zone-offsets.ts).
 */
import { cellOfRow, type CellRow, type SeriesCell } from '../../domain/series.js';
import { localDay } from '../../domain/time.js';
import type { DayRange, SendInfo } from '../store.js';
import { rankStoredChain } from './chains.js';
import { DayFigures } from './day-figures.js';
import { params, type ClickHouseHttp, type ExternalTable } from './http.js';
import { localDaySql, offsetSegments, utcSpanOf } from './zone-offsets.js';

/** The values every send series query reads from `p`, bound once per request. */
const WITH = `WITH
  (SELECT starts FROM p) AS starts, (SELECT offsets FROM p) AS offsets,
  (SELECT from_ms FROM p) AS from_ms, (SELECT to_ms FROM p) AS to_ms,
  (SELECT first_day FROM p) AS first_day, (SELECT last_day FROM p) AS last_day,
  (SELECT send FROM p) AS send, (SELECT cutoff FROM p) AS cutoff`;

const CAMPAIGN = 'workspace_id = (SELECT ws FROM p) AND campaign_id = (SELECT campaign FROM p)';

/** The event (instant, send) counts in the requested days and for the send. */
const inScope = (instant: string, sendColumn: string) =>
  `${instant} >= from_ms AND ${instant} < to_ms AND day BETWEEN first_day AND last_day
   AND ${sendColumn} = send AND ${instant} < cutoff`;

/** Additive metrics, recipients per entry and per day, control enrolments, short chains. */
const CELLS_SQL = `
${WITH}
SELECT ${localDaySql('instant_ms')} AS day, channel, variation_id, metric, count() AS n
FROM events FINAL ARRAY JOIN metrics AS metric
WHERE ${CAMPAIGN} AND ${inScope('instant_ms', 'send_id')}
GROUP BY day, channel, variation_id, metric
UNION ALL
${WITH}
SELECT ${localDaySql('instant_ms')} AS day, channel, variation_id, 'unique_recipients' AS metric,
  uniqExact(user_key) AS n
FROM events
WHERE ${CAMPAIGN} AND receipt = 1 AND ${inScope('instant_ms', 'send_id')}
GROUP BY day, channel, variation_id
UNION ALL
${WITH}
SELECT ${localDaySql('instant_ms')} AS day, '' AS channel, '' AS variation_id,
  'unique_recipients' AS metric, uniqExact(user_key) AS n
FROM events
WHERE ${CAMPAIGN} AND receipt = 1 AND ${inScope('instant_ms', 'send_id')}
GROUP BY day
UNION ALL
${WITH}
SELECT ${localDaySql('instant_ms')} AS day, '' AS channel, variation_id, 'enrolled' AS metric,
  uniqExact(user_key) AS n
FROM events
WHERE ${CAMPAIGN} AND enrols_control = 1 AND ${inScope('instant_ms', 'send_id')}
GROUP BY day, variation_id
UNION ALL
${WITH}
SELECT ${localDaySql('first_ms')} AS day, channel, variation_id, metric, count() AS n
FROM (
  SELECT variation_id, any(channel) AS channel, any(unique_metric) AS metric,
    min(instant_ms) AS first_ms, argMin(send_id, (instant_ms, id)) AS first_send,
    any(unique_window_ms) AS chain_window, max(instant_ms) - min(instant_ms) AS span
  FROM events
  WHERE ${CAMPAIGN} AND unique_metric != ''
  GROUP BY variation_id, user_key, unique_chain
  HAVING chain_window = 0 OR span < chain_window
)
WHERE ${inScope('first_ms', 'first_send')}
GROUP BY day, channel, variation_id, metric`;

/** Chains with more than one unique event: every event, sorted by (instant, id). */
const LONG_CHAINS_SQL = `
SELECT variation_id, any(channel) AS channel, any(unique_metric) AS metric,
  any(unique_window_ms) AS chain_window, arraySort(groupArray((instant_ms, id, send_id))) AS chain
FROM events
WHERE ${CAMPAIGN} AND unique_metric != ''
GROUP BY variation_id, user_key, unique_chain
HAVING chain_window > 0 AND max(instant_ms) - min(instant_ms) >= chain_window`;

const SEND_SQL = `
SELECT count() AS events, countIf(receipt = 1) AS receipts,
  minIf(instant_ms, receipt = 1) AS first_receipt_ms
FROM events
WHERE ${CAMPAIGN} AND send_id = (SELECT send FROM p)`;

/** Every send id the campaign's events carry, with its first receipt. */
const SENDS_SQL = `
SELECT send_id, countIf(receipt = 1) AS receipts, minIf(instant_ms, receipt = 1) AS first_receipt_ms
FROM events
WHERE ${CAMPAIGN} AND send_id != ''
GROUP BY send_id`;

/** A send's receipts as SEND_SQL and SENDS_SQL count them. */
interface ReceiptsRow {
  receipts: number;
  first_receipt_ms: number;
}

/** minIf over no row gives 0: a send without a receipt has no first receipt (null). */
const firstReceiptOf = (row: ReceiptsRow): number | null =>
  row.receipts > 0 ? row.first_receipt_ms : null;

interface LongChainRow {
  variation_id: string;
  channel: string;
  metric: string;
  chain_window: number;
  chain: [instantMs: number, id: string, sendId: string][];
}

/** What a send series counts: one send before its cutoff. */
interface Scope {
  readonly workspaceId: string;
  readonly campaignId: string;
  readonly zone: string;
  readonly days: DayRange;
  readonly sendId: string;
  readonly cutoffMs: number;
}

export class SeriesQueries {
  private readonly dayFigures: DayFigures;

  constructor(private readonly db: ClickHouseHttp) {
    this.dayFigures = new DayFigures(db);
  }

  campaignSeries(
    workspaceId: string,
    campaignId: string,
    zone: string,
    days: DayRange,
  ): Promise<SeriesCell[]> {
    return this.dayFigures.campaignSeries(workspaceId, campaignId, zone, days);
  }

  async getSend(
    workspaceId: string,
    campaignId: string,
    sendId: string,
  ): Promise<SendInfo | undefined> {
    const [row] = await this.db.query<ReceiptsRow & { events: number }>(SEND_SQL, [
      params({
        ws: ['String', workspaceId],
        campaign: ['String', campaignId],
        send: ['String', sendId],
      }),
    ]);
    if (!row || row.events === 0) return undefined;
    return { campaignId, sendId, firstReceiptMs: firstReceiptOf(row) };
  }

  async seenSends(workspaceId: string, campaignId: string): Promise<SendInfo[]> {
    const rows = await this.db.query<ReceiptsRow & { send_id: string }>(SENDS_SQL, [
      params({ ws: ['String', workspaceId], campaign: ['String', campaignId] }),
    ]);
    return rows.map((row) => ({
      campaignId,
      sendId: row.send_id,
      firstReceiptMs: firstReceiptOf(row),
    }));
  }

  /** The send's events before `cutoffMs` (sendCutoffMs of its first receipt). */
  async sendSeries(
    workspaceId: string,
    campaignId: string,
    sendId: string,
    zone: string,
    days: DayRange,
    cutoffMs: number,
  ): Promise<SeriesCell[]> {
    const scope = { workspaceId, campaignId, zone, days, sendId, cutoffMs };
    const p = scopeParams(scope);
    const [rows, longChains] = await Promise.all([
      this.db.query<CellRow>(CELLS_SQL, [p]),
      this.db.query<LongChainRow>(LONG_CHAINS_SQL, [p]),
    ]);
    const cells = new Map<string, SeriesCell>();
    const add = (day: number, channel: string, variationId: string, metric: string, n: number) => {
      const key = `${day}\u0000${channel}\u0000${variationId}\u0000${metric}`;
      const value = (cells.get(key)?.value ?? 0) + n;
      cells.set(key, cellOfRow(day, channel, variationId, metric, value));
    };
    for (const row of rows) add(row.day, row.channel, row.variation_id, row.metric, row.n);
    for (const row of longChains) {
      const instants = row.chain.map(([instantMs]) => instantMs);
      rankStoredChain(row.chain_window, instants).forEach((unique, i) => {
        const [instantMs, , eventSend] = row.chain[i]!;
        if (!unique || eventSend !== sendId || instantMs >= cutoffMs) return;
        const day = localDay(instantMs, zone);
        if (day >= days.firstDay && day <= days.lastDay) {
          add(day, row.channel, row.variation_id, row.metric, 1);
        }
      });
    }
    return [...cells.values()];
  }
}

function scopeParams(scope: Scope): ExternalTable {
  const { fromMs, toMs } = utcSpanOf(scope.days);
  const { starts, offsets } = offsetSegments(scope.zone, fromMs, toMs);
  return params({
    ws: ['String', scope.workspaceId],
    campaign: ['String', scope.campaignId],
    starts: ['Array(Int64)', starts],
    offsets: ['Array(Int64)', offsets],
    from_ms: ['Int64', fromMs],
    to_ms: ['Int64', toMs],
    first_day: ['Int64', scope.days.firstDay],
    last_day: ['Int64', scope.days.lastDay],
    send: ['String', scope.sendId],
    cutoff: ['Int64', scope.cutoffMs],
  });
}
