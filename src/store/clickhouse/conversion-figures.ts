/**
 * Kept conversions: the conversion and revenue cells of a campaign series (SPEC §3), attributed
 * at query time (attribution.ts) and kept per local day, like the counted cells of computed
 * days (day-figures.ts), so a request attributes only the days whose facts moved.
 *
 * A day's credits depend on a known part of the stored facts (touches.ts):
 * - for a campaign that reads no imported conversions, on the workspace's events within the
 *   campaign's reach (its widest window, revenue's included) before the day's first instant
 *   and after its last: a credit on the day needs a receipt or enrolment r and an action τ
 *   with r ≤ τ ≤ r + window and r or τ on the day, and whether an earlier action already took r
 *   depends on actions between the two;
 * - for one that does, on every event: an imported conversion looks back without a window (its
 *   `_by_send_time` lands on its receipt's day, however old).
 * Behaviors belong to no campaign and an email engagement of one campaign can convert for
 * another, so the count is the workspace's touches of those UTC days, not the campaign's. With
 * the rules and rates (`basis`), that count decides whether a kept day is still right.
 */
import type { Credit } from '../../domain/attribution.js';
import type { SeriesCell } from '../../domain/series.js';
import { contentHash } from '../../domain/hash.js';
import type { DayRange } from '../store.js';
import {
  CreditCells,
  seriesCellOf,
  type AttributionContext,
  type Conversions,
  type CreditSum,
} from './attribution.js';
import { params, type ClickHouseHttp } from './http.js';
import { nextVersion } from './version.js';
import { spannedDays, type LocalDay, type WantedDay } from './local-days.js';
import { SLOT_MS } from './rollup-schema.js';
import { SharedRuns } from './shared-runs.js';
import { readWorkspaceTouches, type Touches } from './touches.js';
import { DAY_MS, utcSpanOf } from './zone-offsets.js';

/** The latest computation of each day asked for; the caller checks its touches and basis. */
const KEPT_SQL = `
SELECT span, argMax((touches, basis, cell_channel, cell_variation, metric, total), version) AS kept
FROM conversion_figures
WHERE workspace_id = (SELECT ws FROM p) AND campaign_id = (SELECT campaign FROM p)
  AND span IN (SELECT span FROM wanted)
GROUP BY span`;

type Kept = [
  touches: number,
  basis: string,
  channels: string[],
  variations: string[],
  metrics: string[],
  totals: number[],
];

/** The workspace's touches of the UTC days a local day's credits depend on (see above). */
function touchesOf(day: LocalDay, context: AttributionContext, touches: Touches): number {
  if (context.readImported) return touches.total;
  const reach = context.rules.reachMs;
  const firstMs = day.slots[0]![0] * SLOT_MS;
  const lastMs = day.slots.at(-1)![1] * SLOT_MS - 1;
  return touches.between(
    Math.floor((firstMs - reach) / DAY_MS),
    Math.floor((lastMs + reach) / DAY_MS),
  );
}

/** Everything besides the facts that the credits depend on, as one short string. */
function basisOf(context: AttributionContext): string {
  const { rules, usdRates, readImported } = context;
  const rates = [...usdRates].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return contentHash(
    JSON.stringify([rules.behaviors, rules.controlVariationId, rates, readImported]),
  );
}

export class ConversionFigures {
  /** Passes running in this process, by the days, touches and basis they attribute. */
  private readonly passes = new SharedRuns<Map<string, CreditSum[]>>();

  constructor(
    private readonly db: ClickHouseHttp,
    private readonly conversions: Conversions,
  ) {}

  async campaignCells(
    workspaceId: string,
    campaignId: string,
    zone: string,
    range: DayRange,
  ): Promise<SeriesCell[]> {
    const contextRead = this.conversions.context(workspaceId, campaignId);
    const { days, wanted: wantedTable } = spannedDays(zone, range);
    const p = params({ ws: ['String', workspaceId], campaign: ['String', campaignId] });
    const [context, touches, kept] = await Promise.all([
      contextRead,
      readWorkspaceTouches(this.db, p),
      this.db.query<{ span: string; kept: Kept }>(KEPT_SQL, [p, wantedTable]),
    ]);
    const basis = basisOf(context);
    // No touch around a day: no fact that could credit it.
    const wanted: WantedDay[] = days
      .map((d) => ({ ...d, touches: touchesOf(d.day, context, touches) }))
      .filter((w) => w.touches > 0);
    const current = new Map(wanted.map((w) => [w.span, w.touches]));
    const sumsBySpan = new Map<string, CreditSum[]>();
    for (const { span, kept: row } of kept) {
      if (row[0] === current.get(span) && row[1] === basis) sumsBySpan.set(span, sumsOf(row));
    }
    const stale = wanted.filter((w) => !sumsBySpan.has(w.span));
    if (stale.length > 0) {
      const staleDays = stale.map(({ span, touches }) => [span, touches]);
      const key = [workspaceId, campaignId, zone, basis, staleDays];
      const computed = await this.passes.run(key, () =>
        this.compute(workspaceId, campaignId, zone, stale, context, basis),
      );
      for (const [span, sums] of computed) sumsBySpan.set(span, sums);
    }
    return wanted.flatMap(({ day, span }) =>
      sumsBySpan.get(span)!.map((sum) => seriesCellOf({ ...sum, day: day.day })),
    );
  }

  /**
   * Attributes the stale days, one pass per run of consecutive days (a pass reads the facts
   * within reach of its run only, so days far apart are not attributed through the days
   * between), and keeps each; returns their sums by span.
   */
  private async compute(
    workspaceId: string,
    campaignId: string,
    zone: string,
    stale: readonly WantedDay[],
    context: AttributionContext,
    basis: string,
  ): Promise<Map<string, CreditSum[]>> {
    const byDay = new Map<number, CreditSum[]>();
    for (const range of runsOf(stale.map((w) => w.day.day))) {
      // Cells of this run only: a pass's credits on days beyond its run are partial.
      const cells = new CreditCells(zone, range);
      const sink = (credits: readonly Credit[]) => cells.add(credits, () => true);
      const span = utcSpanOf(range);
      await this.conversions.addCredits(span, sink, workspaceId, campaignId, context, null);
      for (const sum of cells.sums()) {
        const ofDay = byDay.get(sum.day) ?? [];
        ofDay.push(sum);
        byDay.set(sum.day, ofDay);
      }
    }
    const computed = new Map(stale.map((w) => [w.span, byDay.get(w.day.day) ?? []]));
    const version = nextVersion();
    await this.db.insert(
      'conversion_figures',
      stale.map(({ span, touches }) => {
        const sums = computed.get(span)!;
        return {
          workspace_id: workspaceId,
          campaign_id: campaignId,
          span,
          touches,
          basis,
          version,
          cell_channel: sums.map((s) => s.channel ?? ''),
          cell_variation: sums.map((s) => s.variationId ?? ''),
          metric: sums.map((s) => s.metric),
          total: sums.map((s) => s.sum),
        };
      }),
    );
    return computed;
  }
}

/** Ascending day numbers as runs of consecutive days. */
function runsOf(days: readonly number[]): DayRange[] {
  const runs: { firstDay: number; lastDay: number }[] = [];
  for (const day of days) {
    const last = runs.at(-1);
    if (last && last.lastDay === day - 1) last.lastDay = day;
    else runs.push({ firstDay: day, lastDay: day });
  }
  return runs;
}

/** A kept day's sums (its day number is set by the caller, from the span asked for). */
function sumsOf([, , channels, variations, metrics, totals]: Kept): CreditSum[] {
  return totals.map((sum, i) => ({
    day: 0,
    channel: (channels[i] || null) as CreditSum['channel'],
    variationId: variations[i] || null,
    metric: metrics[i] as CreditSum['metric'],
    sum,
  }));
}
