/**
 * The series queries. Campaign series read the day rollups (an index range on day);
 * send series are counted at query time from the send's stored events, which SPEC §4 bounds
 * to 14 days after the first receipt.
 */
import type { Statement } from 'better-sqlite3';
import { countsInSend, sendCutoffMs } from '../../domain/sends.js';
import { cellOfRow, seriesValue, type CellRow, type SeriesCell } from '../../domain/series.js';
import type { DayRange, SendInfo } from '../store.js';
import { widen, type Attribution, type RecipientSpan } from './attribution.js';
import { COUNTED_COLUMNS, countedEventOf, type CountedRow } from './rollup.js';
import type { Db } from './schema.js';
import { DayTally } from './tally.js';
import type { Workspaces } from './workspaces.js';

export class SeriesQueries {
  private readonly dayCells: Statement<[string, string, number, number], CellRow>;
  private readonly sendExists: Statement<[string, string, string], { found: number }>;
  private readonly firstReceipt: Statement<[string, string, string], { first: number | null }>;
  private readonly sendEvents: Statement<[string, string, string], CountedRow>;
  private readonly campaignSends: Statement<
    [string, string],
    { send_id: string; first: number | null }
  >;

  constructor(
    db: Db,
    private readonly workspaces: Workspaces,
    private readonly attribution: Attribution,
  ) {
    this.dayCells = db.prepare(
      `SELECT day, channel, variation_id, metric, n FROM day_counts
       WHERE ws = ? AND campaign_id = ? AND day BETWEEN ? AND ? AND n <> 0`,
    );
    this.sendExists = db.prepare(
      'SELECT 1 AS found FROM events WHERE ws = ? AND campaign_id = ? AND send_id = ? LIMIT 1',
    );
    this.firstReceipt = db.prepare(
      `SELECT min(instant_ms) AS first FROM events
       WHERE ws = ? AND campaign_id = ? AND send_id = ? AND receipt = 1`,
    );
    // An index range of events_send per send id.
    this.campaignSends = db.prepare(
      `SELECT send_id, min(CASE WHEN receipt = 1 THEN instant_ms END) AS first FROM events
       WHERE ws = ? AND campaign_id = ? AND send_id IS NOT NULL GROUP BY send_id`,
    );
    this.sendEvents = db.prepare(
      `SELECT ${COUNTED_COLUMNS} FROM events WHERE ws = ? AND campaign_id = ? AND send_id = ?`,
    );
  }

  campaignSeries(workspaceId: string, campaignId: string, days: DayRange): SeriesCell[] {
    return this.dayCells
      .all(workspaceId, campaignId, days.firstDay, days.lastDay)
      .map((row) =>
        cellOfRow(
          row.day,
          row.channel,
          row.variation_id,
          row.metric,
          seriesValue(row.metric, row.n),
        ),
      );
  }

  /** A send exists once an event of the campaign carries its id. */
  getSend(workspaceId: string, campaignId: string, sendId: string): SendInfo | undefined {
    if (!this.sendExists.get(workspaceId, campaignId, sendId)) return undefined;
    const { first } = this.firstReceipt.get(workspaceId, campaignId, sendId)!;
    return { campaignId, sendId, firstReceiptMs: first };
  }

  /** The sends that events of the campaign carry. */
  seenSends(workspaceId: string, campaignId: string): SendInfo[] {
    return this.campaignSends
      .all(workspaceId, campaignId)
      .map((row) => ({ campaignId, sendId: row.send_id, firstReceiptMs: row.first }));
  }

  /**
   * Before any receipt there is no cutoff yet, so every event of the send counts (nothing
   * the send recorded is hidden); the first receipt, even a late one, sets the cutoff.
   */
  sendSeries(
    workspaceId: string,
    campaignId: string,
    sendId: string,
    days: DayRange,
  ): SeriesCell[] {
    const send = this.getSend(workspaceId, campaignId, sendId);
    if (!send) return [];
    const cutoff = sendCutoffMs(send.firstReceiptMs);
    const tally = new DayTally(this.workspaces.zoneOf(workspaceId));
    const recipients = new Map<string, RecipientSpan>();
    for (const row of this.sendEvents.all(workspaceId, campaignId, sendId)) {
      if (row.receipt === 1) widen(recipients, row.user_key, row.instant_ms);
      if (row.instant_ms >= cutoff) continue;
      const day = tally.dayOf(row.instant_ms);
      if (day < days.firstDay || day > days.lastDay) continue;
      tally.addEvent(countedEventOf(row), row.is_unique === 1);
    }
    // Conversions and revenue count when the converting event is inside the send's 14 days.
    const credits = this.attribution.creditsOf(workspaceId, campaignId, recipients);
    for (const credit of credits) {
      if (!countsInSend(credit, sendId, cutoff)) continue;
      const day = tally.dayOf(credit.dayMs);
      if (day < days.firstDay || day > days.lastDay) continue;
      const { channel, variationId, metric } = credit;
      tally.add({ campaignId, day, channel, variationId, metric }, credit.value);
    }
    return tally.cells().map((cell) => ({ ...cell, value: seriesValue(cell.metric, cell.value) }));
  }
}
