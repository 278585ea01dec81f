/**
 * The change counter behind computed days (day-figures.ts): per campaign and UTC day, how many
 * events ingests stored or re-delivered there (`campaign_touches`).
 *
 * A local day's figures depend on the campaign's events up to its end only — additive and
 * distinct counts on the day's own events, a unique chain verdict on the chain's earlier
 * events — so they cannot have changed while the touches of every UTC day up to its end still
 * add up to the same number. Each ingest writes its touches after all its other writes, and
 * the series reads the touches before anything else; so a figure computed under a count
 * includes every ingest that count reflects, and a later ingest raises the count.
 * A batch that only repeats stored events touches its days again: if the ingest that first
 * stored them died before its touches, the client's retry writes them.
 */
import type { NormalizedEvent } from '../../domain/event.js';
import type { ClickHouseHttp, ExternalTable } from './http.js';

const DAY_MS = 86_400_000;

const TOUCHES_SQL = `
SELECT day, sum(n) AS n FROM campaign_touches
WHERE workspace_id = (SELECT ws FROM p) AND campaign_id = (SELECT campaign FROM p)
GROUP BY day ORDER BY day`;

/** Records that these events (stored now or before) were ingested. */
export async function recordTouches(
  db: ClickHouseHttp,
  workspaceId: string,
  events: readonly NormalizedEvent[],
): Promise<void> {
  const counts = new Map<string, { campaign_id: string; day: number; n: number }>();
  for (const event of events) {
    if (!event.campaign) continue;
    const day = Math.floor(event.instantMs / DAY_MS);
    const key = `${event.campaign.campaignId}\u0000${day}`;
    const row = counts.get(key);
    if (row) row.n += 1;
    else counts.set(key, { campaign_id: event.campaign.campaignId, day, n: 1 });
  }
  await db.insert(
    'campaign_touches',
    [...counts.values()].map((row) => ({ workspace_id: workspaceId, ...row })),
  );
}

/** The campaign's touches of every UTC day up to a given one (0: nothing stored up to it). */
export type TouchesUpTo = (utcDay: number) => number;

/** The touches of the campaign in `p` (params `ws`, `campaign`). */
export async function readTouches(db: ClickHouseHttp, p: ExternalTable): Promise<TouchesUpTo> {
  const rows = await db.query<{ day: number; n: number }>(TOUCHES_SQL, [p]);
  const cumulative: number[] = [];
  rows.forEach((row, i) => cumulative.push((cumulative[i - 1] ?? 0) + row.n));
  return (utcDay) => {
    // The number of rows at or before utcDay (rows are sorted by day).
    let low = 0;
    let high = rows.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (rows[middle]!.day <= utcDay) low = middle + 1;
      else high = middle;
    }
    return low === 0 ? 0 : cumulative[low - 1]!;
  };
}
