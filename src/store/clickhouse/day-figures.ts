/**
 * A campaign series (SPEC §2, §5) as computed local days (docs/clickhouse.md, "Rollups and
 * computed days").
 *
 * Summing 15-minute slots into local days is exact in every zone, but a day's distinct users
 * and unique chain events are not sums of slots: merging the sets of a 100-day range costs
 * about a second at 10 M events. So each local day, once computed from the rollups, is kept
 * in `day_figures` under the campaign's touch count up to its end (touches.ts), and a request
 * computes only the days whose count moved since: after the first answer, only the days new
 * events reached. Every figure is still a function of the stored events: a kept day is used
 * only while no ingest has touched anything it depends on.
 */
import { cellOfRow, type CellRow, type SeriesCell } from '../../domain/series.js';
import type { DayRange } from '../store.js';
import { rankStoredChain } from './chains.js';
import { params, type ClickHouseHttp } from './http.js';
import { spannedDays, type LocalDays, type WantedDay } from './local-days.js';
import { SLOT_MS } from './rollup-schema.js';
import { SharedRuns } from './shared-runs.js';
import { readCampaignTouches } from './touches.js';
import { localDaySql } from './zone-offsets.js';

const CAMPAIGN = 'workspace_id = (SELECT ws FROM p) AND campaign_id = (SELECT campaign FROM p)';

/**
 * The latest kept computation of each day asked for (`wanted`). A count only grows, so it is
 * the only one that can have been made under the current count; copies of it are alike.
 */
const KEPT_SQL = `
SELECT span, max(touches) AS latest,
  argMax((cell_channel, cell_variation, metric, n), touches) AS figures
FROM day_figures WHERE ${CAMPAIGN} AND span IN (SELECT span FROM wanted)
GROUP BY span`;

/** Additive and distinct-user cells of the days asked for, from their slots. */
const CELLS_SQL = `
WITH (SELECT starts FROM p) AS starts, (SELECT offsets FROM p) AS offsets,
  (SELECT days FROM p) AS days
SELECT ${localDaySql(`slot * ${SLOT_MS}`)} AS day, cell_channel AS channel,
  cell_variation AS variation_id, metric, uniqExactMerge(counted) AS n
FROM slot_cells
WHERE ${CAMPAIGN} AND slot >= (SELECT first_slot FROM p) AND slot < (SELECT end_slot FROM p)
  AND has(days, day)
GROUP BY day, cell_channel, cell_variation, metric`;

/**
 * Unique chain events (SPEC §2) of the days asked for, ranked over each chain's history: every
 * chain with an event in the slots asked for, with the instants of its events up to their end,
 * sorted (the users with such an event first, which is cheaper to test than a chain key). Copies of an event need no care: a copy comes right after its event, 0 ms later, so
 * it is never unique and changes no other verdict. A chain splits into segments where an event
 * comes a window or more after the one before: such an event is unique whatever came before,
 * and the verdicts after it depend only on its own segment. A segment spanning less than a
 * window (and a first-ever chain, one segment) has one unique event, its first: those are
 * counted here by day. Longer segments, which need the sequential rule, come back whole
 * (grouped by content, `n` alike) for rankStoredChain.
 * (All on one level: on 18.16 a lambda that captures a column of a subquery fails unless the
 * outer query reads that column too.)
 */
const CHAINS_SQL = `
WITH (SELECT starts FROM p) AS starts, (SELECT offsets FROM p) AS offsets,
  (SELECT days FROM p) AS days
SELECT ${localDaySql('segment[1]')} AS day, chain_channel AS channel, variation_id,
  chain_metric AS metric, chain_window,
  if(length(segment) > 1, segment, emptyArrayInt64()) AS long_segment, count() AS n
FROM (
  SELECT variation_id, any(channel) AS chain_channel, any(unique_metric) AS chain_metric,
    any(unique_window_ms) AS chain_window,
    arraySort(groupArray(instant_ms)) AS ts,
    arrayMap(
      (first, last) -> if(chain_window > 0 AND ts[last] - ts[first] >= chain_window,
        arraySlice(ts, first, last - first + 1), [ts[first]]),
      if(chain_window = 0, [1],
        arrayFilter(i -> i = 1 OR ts[i] - ts[i - 1] >= chain_window, arrayEnumerate(ts))),
      if(chain_window = 0, [length(ts)],
        arrayFilter(i -> i = length(ts) OR ts[i + 1] - ts[i] >= chain_window, arrayEnumerate(ts)))
    ) AS segments
  FROM chain_events
  WHERE ${CAMPAIGN} AND instant_ms < (SELECT end_slot FROM p) * ${SLOT_MS}
    AND user_key IN (
      SELECT user_key FROM chain_events
      WHERE ${CAMPAIGN} AND instant_ms >= (SELECT first_slot FROM p) * ${SLOT_MS}
        AND instant_ms < (SELECT end_slot FROM p) * ${SLOT_MS})
  GROUP BY variation_id, user_key, unique_chain
  HAVING max(instant_ms) >= (SELECT first_slot FROM p) * ${SLOT_MS}
)
ARRAY JOIN segments AS segment
WHERE length(segment) > 1 OR has(days, day)
GROUP BY day, channel, variation_id, metric, chain_window, long_segment`;

/** Unique events counted by day, or (long_segment not empty) a segment to rank. */
interface ChainRow extends CellRow {
  chain_window: number;
  long_segment: number[];
}

type Figures = [channels: string[], variations: string[], metrics: string[], counts: number[]];

interface KeptRow {
  span: string;
  latest: number;
  figures: Figures;
}

export class DayFigures {
  /** Computations running in this process, by the days and touches they compute. */
  private readonly computations = new SharedRuns<Map<string, Figures>>();

  constructor(private readonly db: ClickHouseHttp) {}

  async campaignSeries(
    workspaceId: string,
    campaignId: string,
    zone: string,
    range: DayRange,
  ): Promise<SeriesCell[]> {
    const { local, days, wanted: wantedTable } = spannedDays(zone, range);
    const p = params({ ws: ['String', workspaceId], campaign: ['String', campaignId] });
    const [touches, kept] = await Promise.all([
      readCampaignTouches(this.db, p),
      this.db.query<KeptRow>(KEPT_SQL, [p, wantedTable]),
    ]);
    // No touch up to a day's end: no event up to it, nothing to count or keep.
    const wanted: WantedDay[] = days
      .map((d) => ({ ...d, touches: touches.upTo(d.day.lastUtcDay) }))
      .filter((w) => w.touches > 0);
    const current = new Map(wanted.map((w) => [w.span, w.touches]));
    const figuresBySpan = new Map(
      kept
        .filter((row) => current.get(row.span) === row.latest)
        .map((row) => [row.span, row.figures]),
    );
    const stale = wanted.filter((w) => !figuresBySpan.has(w.span));
    if (stale.length > 0) {
      const staleDays = stale.map(({ span, touches }) => [span, touches]);
      const computed = await this.computations.run([workspaceId, campaignId, zone, staleDays], () =>
        this.compute(workspaceId, campaignId, local, stale),
      );
      for (const [span, figures] of computed) figuresBySpan.set(span, figures);
    }
    return wanted.flatMap(({ day, span }) => {
      const [channels, variations, metrics, counts] = figuresBySpan.get(span)!;
      return counts.map((n, i) => cellOfRow(day.day, channels[i]!, variations[i]!, metrics[i]!, n));
    });
  }

  /** Computes the stale days from the rollups and keeps them; returns them by span. */
  private async compute(
    workspaceId: string,
    campaignId: string,
    local: LocalDays,
    stale: readonly WantedDay[],
  ): Promise<Map<string, Figures>> {
    const p = params({
      ws: ['String', workspaceId],
      campaign: ['String', campaignId],
      starts: ['Array(Int64)', local.segments.starts],
      offsets: ['Array(Int64)', local.segments.offsets],
      days: ['Array(Int64)', stale.map((w) => w.day.day)],
      first_slot: ['Int64', Math.min(...stale.map((w) => w.day.slots[0]![0]))],
      end_slot: ['Int64', Math.max(...stale.map((w) => w.day.slots.at(-1)![1]))],
    });
    const [cells, chains] = await Promise.all([
      this.db.query<CellRow>(CELLS_SQL, [p]),
      this.db.query<ChainRow>(CHAINS_SQL, [p]),
    ]);
    const byDay = sumByDay([...cells, ...chainCells(chains, local.dayAt)]);
    const computed = new Map(stale.map((w) => [w.span, figuresOf(byDay.get(w.day.day))]));
    const rows = stale.map(({ span, touches }) => {
      const [channels, variations, metrics, counts] = computed.get(span)!;
      return {
        workspace_id: workspaceId,
        campaign_id: campaignId,
        span,
        touches,
        cell_channel: channels,
        cell_variation: variations,
        metric: metrics,
        n: counts,
      };
    });
    await this.db.insert('day_figures', rows);
    return computed;
  }
}

/** Unique chain events as cells: those counted in SQL as they are, long segments ranked. */
function chainCells(rows: readonly ChainRow[], dayAt: (instantMs: number) => number): CellRow[] {
  return rows.flatMap((row) =>
    row.long_segment.length === 0
      ? [row]
      : rankStoredChain(row.chain_window, row.long_segment).flatMap((unique, i) =>
          unique ? [{ ...row, day: dayAt(row.long_segment[i]!) }] : [],
        ),
  );
}

/** Cells summed per day and cell (a chain's unique events add to one another). */
function sumByDay(rows: readonly CellRow[]): Map<number, Map<string, CellRow>> {
  const byDay = new Map<number, Map<string, CellRow>>();
  for (const { day, channel, variation_id, metric, n } of rows) {
    const dayCells = byDay.get(day) ?? new Map<string, CellRow>();
    byDay.set(day, dayCells);
    const key = `${channel}\u0000${variation_id}\u0000${metric}`;
    const cell = dayCells.get(key);
    if (cell) cell.n += n;
    else dayCells.set(key, { day, channel, variation_id, metric, n });
  }
  return byDay;
}

function figuresOf(dayCells: Map<string, CellRow> | undefined): Figures {
  const cells = [...(dayCells?.values() ?? [])];
  return [
    cells.map((c) => c.channel),
    cells.map((c) => c.variation_id),
    cells.map((c) => c.metric),
    cells.map((c) => c.n),
  ];
}
