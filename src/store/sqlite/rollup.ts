/**
 * The day rollups (`day_counts`, and `member_cells` / `cell_members` for distinct users): writing a batch's DayTally, and rebuilding
 * a workspace's rollups from its stored events when the reporting zone changes.
 */
import type { Statement } from 'better-sqlite3';
import type { Channel } from '../../domain/channels.js';
import type { Db } from './schema.js';
import { DayTally, type CountedEvent, type TallyCell } from './tally.js';

/** The columns of `events` that say what an event counts for. */
export const COUNTED_COLUMNS = `campaign_id, variation_id, channel, user_key, instant_ms, metrics,
  unique_metric, receipt, enrols_control, is_unique`;

export interface CountedRow {
  campaign_id: string;
  variation_id: string;
  channel: string | null;
  user_key: string;
  instant_ms: number;
  metrics: string;
  unique_metric: string | null;
  receipt: number;
  enrols_control: number;
  is_unique: number;
}

/** `events.metrics` holds the metric names joined by commas (names never contain one). */
export const joinMetrics = (metrics: readonly string[]): string => metrics.join(',');
export const splitMetrics = (joined: string): string[] => (joined === '' ? [] : joined.split(','));

export function countedEventOf(row: CountedRow): CountedEvent {
  return {
    campaignId: row.campaign_id,
    variationId: row.variation_id,
    channel: row.channel as Channel | null,
    userKey: row.user_key,
    instantMs: row.instant_ms,
    metrics: splitMetrics(row.metrics),
    uniqueMetric: row.unique_metric,
    receipt: row.receipt === 1,
    enrolsControl: row.enrols_control === 1,
  };
}

const REBUILD_PAGE = 10_000;

export class RollupWriter {
  private readonly addCount: Statement;
  private readonly addMember: Statement<[number, string]>;
  private readonly cellId: Statement<
    [string, string, number, string, string, string],
    { id: number }
  >;
  private readonly addCell: Statement<[string, string, number, string, string, string]>;
  private readonly clearCounts: Statement;
  private readonly clearCells: Statement<[string]>;
  private readonly clearCellMembers: Statement<[string]>;
  private readonly eventPage: Statement<[number, string, number], CountedRow & { rowid: number }>;

  constructor(db: Db) {
    this.addCount = db.prepare(
      `INSERT INTO day_counts (ws, campaign_id, day, channel, variation_id, metric, n)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT DO UPDATE SET n = n + excluded.n`,
    );
    this.addMember = db.prepare(
      'INSERT OR IGNORE INTO cell_members (cell, user_key) VALUES (?, ?)',
    );
    const cellColumns = 'ws, campaign_id, day, channel, variation_id, metric';
    this.cellId = db.prepare(
      `SELECT id FROM member_cells WHERE ws = ? AND campaign_id = ? AND day = ? AND channel = ?
         AND variation_id = ? AND metric = ?`,
    );
    this.addCell = db.prepare(
      `INSERT INTO member_cells (${cellColumns}) VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.clearCounts = db.prepare('DELETE FROM day_counts WHERE ws = ?');
    this.clearCells = db.prepare('DELETE FROM member_cells WHERE ws = ?');
    this.clearCellMembers = db.prepare(
      'DELETE FROM cell_members WHERE cell IN (SELECT id FROM member_cells WHERE ws = ?)',
    );
    // Paging by rowid seeks instead of rescanning, and lets each page be written before the
    // next is read (better-sqlite3 allows no writes while a statement iterates).
    this.eventPage = db.prepare(
      `SELECT rowid, ${COUNTED_COLUMNS} FROM events
       WHERE rowid > ? AND ws = ? AND campaign_id IS NOT NULL ORDER BY rowid LIMIT ?`,
    );
  }

  /** Adds the tally to the rollups; a member already counted in a cell is not counted again. */
  write(workspaceId: string, tally: DayTally): void {
    const counts = new DayTally(tally.zone);
    for (const count of tally.counts.values()) counts.add(count, count.n);
    // In key order, so the inserts walk the cell_members B-tree instead of jumping around it.
    const memberKeys = [...tally.members.keys()].sort();
    const cellIds = new Map<string, number>();
    for (const key of memberKeys) {
      const m = tally.members.get(key)!;
      // A member's key is its cell's key, a separator and the user (tally.ts).
      const cellKey = key.slice(0, key.length - m.userKey.length - 1);
      let cell = cellIds.get(cellKey);
      if (cell === undefined) {
        cell = this.memberCell(workspaceId, m);
        cellIds.set(cellKey, cell);
      }
      const { changes } = this.addMember.run(cell, m.userKey);
      if (changes > 0) counts.add(m, 1);
    }
    for (const c of counts.counts.values()) {
      if (c.n === 0) continue;
      this.addCount.run(
        workspaceId,
        c.campaignId,
        c.day,
        c.channel ?? '',
        c.variationId ?? '',
        c.metric,
        c.n,
      );
    }
  }

  /** The id of a distinct-user cell, created when it has none yet. */
  private memberCell(workspaceId: string, cell: TallyCell): number {
    const key = [
      workspaceId,
      cell.campaignId,
      cell.day,
      cell.channel ?? '',
      cell.variationId ?? '',
      cell.metric,
    ] as const;
    const found = this.cellId.get(...key);
    return found ? found.id : Number(this.addCell.run(...key).lastInsertRowid);
  }

  /** Recounts every day of the workspace from its stored events, in the given zone. */
  rebuild(workspaceId: string, timezone: string): void {
    this.clearCounts.run(workspaceId);
    this.clearCellMembers.run(workspaceId);
    this.clearCells.run(workspaceId);
    let after = 0;
    for (;;) {
      const rows = this.eventPage.all(after, workspaceId, REBUILD_PAGE);
      if (rows.length === 0) break;
      const tally = new DayTally(timezone);
      for (const row of rows) tally.addEvent(countedEventOf(row), row.is_unique === 1);
      this.write(workspaceId, tally);
      after = rows[rows.length - 1]!.rowid;
    }
  }
}
