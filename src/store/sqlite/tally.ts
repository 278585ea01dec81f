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

function cellKey(cell: TallyCell): string {
  return `${cell.campaignId}\u0000${cell.day}\u0000${cell.channel ?? ''}\u0000${cell.variationId ?? ''}\u0000${cell.metric}`;
}

export class DayTally {
  /** Additive figures: one entry per cell, the sum of its increments. */
  readonly counts = new Map<string, TallyCount>();
  /** Distinct-user figures: one entry per (cell, user), counted once wherever it repeats. */
  readonly members = new Map<string, TallyMember>();

  constructor(readonly zone: string) {}

  dayOf(instantMs: number): number {
    return localDay(instantMs, this.zone);
  }

  /** Everything the event adds on its day; `isUnique`: its chain ranks it unique. */
  addEvent(event: CountedEvent, isUnique: boolean): void {
    const day = this.dayOf(event.instantMs);
    const { campaignId, channel, variationId, userKey } = event;
    for (const metric of event.metrics)
      this.add({ campaignId, day, channel, variationId, metric }, 1);
    if (isUnique && event.uniqueMetric !== null) {
      this.add({ campaignId, day, channel, variationId, metric: event.uniqueMetric }, 1);
    }
    if (event.receipt) {
      // A recipient of the entry (channel, variation) and of the day (any channel).
      this.addMember({ campaignId, day, channel, variationId, metric: UNIQUE_RECIPIENTS, userKey });
      this.addMember({
        campaignId,
        day,
        channel: null,
        variationId: null,
        metric: UNIQUE_RECIPIENTS,
        userKey,
      });
    }
    if (event.enrolsControl) {
      this.addMember({ campaignId, day, channel: null, variationId, metric: ENROLLED, userKey });
    }
  }

  add(cell: TallyCell, delta: number): void {
    const key = cellKey(cell);
    const count = this.counts.get(key);
    if (count) count.n += delta;
    else {
      const { campaignId, day, channel, variationId, metric } = cell;
      this.counts.set(key, { campaignId, day, channel, variationId, metric, n: delta });
    }
  }

  private addMember(member: TallyMember): void {
    this.members.set(`${cellKey(member)}\u0000${member.userKey}`, member);
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
