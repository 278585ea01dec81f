/**
 * In-memory aggregation of what events add to daily cells (SPEC §2), keyed by local day.
 *
 * Ingest and the zone rebuild fold a batch here and write each distinct key once
 * (rollup.ts); the send series folds a send's events here and reads the cells directly.
 */
import { localDay } from '../../domain/time.js';
import type { SeriesCell } from '../../domain/series.js';
import type { Channel } from '../../domain/channels.js';

/** What a stored event counts for: the fields of NormalizedEvent the rollups read. */
export interface CountedEvent {
  readonly campaignId: string;
  readonly variationId: string;
  readonly channel: Channel | null;
  readonly userKey: string;
  readonly instantMs: number;
  readonly metrics: readonly string[];
  /** The `unique_*` metric of the event's chain, null when it has none. */
  readonly uniqueMetric: string | null;
  readonly receipt: boolean;
  readonly enrolsControl: boolean;
}

export interface TallyCell {
  readonly campaignId: string;
  readonly day: number;
  readonly channel: Channel | null;
  readonly variationId: string | null;
  readonly metric: string;
}

export interface TallyCount extends TallyCell {
  n: number;
}

export interface TallyMember extends TallyCell {
  readonly userKey: string;
}

const UNIQUE_RECIPIENTS = 'unique_recipients';
const ENROLLED = 'enrolled';

const SEP = '\u0000';

/** The key of a cell without its metric; a cell's key is this prefix followed by the metric. */
function cellPrefix(
  campaignId: string,
  day: number,
  channel: Channel | null,
  variationId: string | null,
): string {
  return `${campaignId}${SEP}${day}${SEP}${channel ?? ''}${SEP}${variationId ?? ''}${SEP}`;
}

const cellKey = (cell: TallyCell): string =>
  cellPrefix(cell.campaignId, cell.day, cell.channel, cell.variationId) + cell.metric;

export class DayTally {
  /** Additive figures: one entry per cell, the sum of its increments. */
  readonly counts = new Map<string, TallyCount>();
  /** Distinct-user figures: one entry per (cell, user), counted once wherever it repeats. */
  readonly members = new Map<string, TallyMember>();

  constructor(readonly zone: string) {}

  dayOf(instantMs: number): number {
    return localDay(instantMs, this.zone);
  }

  /**
   * Everything the event adds on its day; `isUnique`: its chain ranks it unique. Keys are built
   * once per event and cell objects allocated only for cells not seen yet (the hot path).
   */
  addEvent(event: CountedEvent, isUnique: boolean): void {
    const day = this.dayOf(event.instantMs);
    const { campaignId, channel, variationId, userKey } = event;
    const prefix = cellPrefix(campaignId, day, channel, variationId);
    for (const metric of event.metrics) {
      this.addKeyed(prefix + metric, campaignId, day, channel, variationId, metric, 1);
    }
    if (isUnique && event.uniqueMetric !== null) {
      const metric = event.uniqueMetric;
      this.addKeyed(prefix + metric, campaignId, day, channel, variationId, metric, 1);
    }
    if (event.receipt) {
      // A recipient of the entry (channel, variation) and of the day (any channel).
      const metric = UNIQUE_RECIPIENTS;
      this.addMemberKeyed(prefix, campaignId, day, channel, variationId, metric, userKey);
      const dayPrefix = cellPrefix(campaignId, day, null, null);
      this.addMemberKeyed(dayPrefix, campaignId, day, null, null, metric, userKey);
    }
    if (event.enrolsControl) {
      const enrolPrefix = cellPrefix(campaignId, day, null, variationId);
      this.addMemberKeyed(enrolPrefix, campaignId, day, null, variationId, ENROLLED, userKey);
    }
  }

  add(cell: TallyCell, delta: number): void {
    const { campaignId, day, channel, variationId, metric } = cell;
    this.addKeyed(cellKey(cell), campaignId, day, channel, variationId, metric, delta);
  }

  private addKeyed(
    key: string,
    campaignId: string,
    day: number,
    channel: Channel | null,
    variationId: string | null,
    metric: string,
    delta: number,
  ): void {
    const count = this.counts.get(key);
    if (count) count.n += delta;
    else this.counts.set(key, { campaignId, day, channel, variationId, metric, n: delta });
  }

  private addMemberKeyed(
    prefix: string,
    campaignId: string,
    day: number,
    channel: Channel | null,
    variationId: string | null,
    metric: string,
    userKey: string,
  ): void {
    const key = `${prefix}${metric}${SEP}${userKey}`;
    if (this.members.has(key)) return;
    this.members.set(key, { campaignId, day, channel, variationId, metric, userKey });
  }

  /** The non-zero cells, with each distinct-user figure counted from the members seen here. */
  cells(): SeriesCell[] {
    const all = new DayTally(this.zone);
    for (const count of this.counts.values()) all.add(count, count.n);
    for (const member of this.members.values()) all.add(member, 1);
    return [...all.counts.values()]
      .filter((c) => c.n !== 0)
      .map((c) => ({
        day: c.day,
        channel: c.channel,
        variationId: c.variationId,
        metric: c.metric,
        value: c.n,
      }));
  }
}
