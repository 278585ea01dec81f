/**
 * The change counters behind computed days (day-figures.ts) and kept conversions
 * (conversion-figures.ts): how many events ingests stored or re-delivered per UTC day, per
 * campaign (`campaign_touches`) and for the whole workspace (`workspace_touches`).
 *
 * A computed figure depends on the events of a known set of UTC days only — a local day's
 * counts on the campaign's events up to its end (a unique chain verdict on the chain's earlier
 * events), its conversions on the workspace's events within the campaign's reach around it —
 * so it cannot have changed while the touches of those days still add up to the same number.
 * Each ingest writes its touches after all its other writes, and a series reads the touches
 * before anything else; so a figure computed under a count includes every ingest that count
 * reflects, and a later ingest raises the count.
 * A batch that only repeats stored events touches its days again: if the ingest that first
 * stored them died before its touches, the client's retry writes them.
 */
import type { NormalizedEvent } from '../../domain/event.js';
import type { ClickHouseHttp, ExternalTable } from './http.js';
import { DAY_MS } from './zone-offsets.js';

const CAMPAIGN_TOUCHES_SQL = `
SELECT day, sum(n) AS n FROM campaign_touches
WHERE workspace_id = (SELECT ws FROM p) AND campaign_id = (SELECT campaign FROM p)
GROUP BY day ORDER BY day`;

const WORKSPACE_TOUCHES_SQL = `
SELECT day, sum(n) AS n FROM workspace_touches
WHERE workspace_id = (SELECT ws FROM p)
GROUP BY day ORDER BY day`;

/** Events per UTC day, in the rows of a touches table. */
function touchRows<K extends string>(
  events: readonly NormalizedEvent[],
  keyOf: (event: NormalizedEvent) => K | null,
): { key: K; day: number; n: number }[] {
  const counts = new Map<string, { key: K; day: number; n: number }>();
  for (const event of events) {
    const key = keyOf(event);
    if (key === null) continue;
    const day = Math.floor(event.instantMs / DAY_MS);
    const id = `${key}\u0000${day}`;
    const row = counts.get(id);
    if (row) row.n += 1;
    else counts.set(id, { key, day, n: 1 });
  }
  return [...counts.values()];
}

/** Records that these events (stored now or before) were ingested. */
export async function recordTouches(
  db: ClickHouseHttp,
  workspaceId: string,
  events: readonly NormalizedEvent[],
): Promise<void> {
  const byCampaign = touchRows(events, (event) => event.campaign?.campaignId ?? null);
  // Every event, behaviors and other campaigns' engagements included: attribution reads them.
  const byWorkspace = touchRows(events, () => '');
  await Promise.all([
    db.insert(
      'campaign_touches',
      byCampaign.map(({ key, day, n }) => ({
        workspace_id: workspaceId,
        campaign_id: key,
        day,
        n,
      })),
    ),
    db.insert(
      'workspace_touches',
      byWorkspace.map(({ day, n }) => ({ workspace_id: workspaceId, day, n })),
    ),
  ]);
}

/** Touches by UTC day, summed over ranges of days. */
export interface Touches {
  /** The touches of UTC days `first` to `last`, both included. */
  between(first: number, last: number): number;
  /** The touches of every day up to `last` (0: nothing stored up to it). */
  upTo(last: number): number;
  readonly total: number;
}

function touchesOf(rows: readonly { day: number; n: number }[]): Touches {
  const cumulative: number[] = [];
  rows.forEach((row, i) => cumulative.push((cumulative[i - 1] ?? 0) + row.n));
  const upTo = (last: number): number => {
    // The number of rows at or before `last` (rows are sorted by day).
    let low = 0;
    let high = rows.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (rows[middle]!.day <= last) low = middle + 1;
      else high = middle;
    }
    return low === 0 ? 0 : cumulative[low - 1]!;
  };
  return {
    upTo,
    between: (first, last) => upTo(last) - upTo(first - 1),
    total: cumulative.at(-1) ?? 0,
  };
}

/** The touches of the campaign in `p` (params `ws`, `campaign`). */
export async function readCampaignTouches(db: ClickHouseHttp, p: ExternalTable): Promise<Touches> {
  return touchesOf(await db.query<{ day: number; n: number }>(CAMPAIGN_TOUCHES_SQL, [p]));
}

/** The touches of the workspace in `p` (param `ws`). */
export async function readWorkspaceTouches(db: ClickHouseHttp, p: ExternalTable): Promise<Touches> {
  return touchesOf(await db.query<{ day: number; n: number }>(WORKSPACE_TOUCHES_SQL, [p]));
}
