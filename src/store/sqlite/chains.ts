/**
 * Unique chains (SPEC §2): for each (campaign, variation, user, chain), the events sorted by
 * (instant, id); the first is unique, a later one is unique when it comes `windowMs` or more
 * after the last unique one (never, for first-ever chains). A late event can re-rank the whole
 * chain, so after each batch every touched chain is re-ranked from its stored events and only
 * the verdicts that changed are applied to the counts.
 */
import type { Statement } from 'better-sqlite3';
import type { Channel } from '../../domain/channels.js';
import type { NormalizedEvent } from '../../domain/event.js';
import { rankChain } from '../../domain/unique-chain.js';
import type { Db } from './schema.js';
import type { DayTally } from './tally.js';

interface ChainRow {
  rowid: number;
  instant_ms: number;
  unique_window_ms: number | null;
  unique_metric: string;
  channel: string;
  is_unique: number;
}

type ChainKey = [campaignId: string, variationId: string, userKey: string, chain: string];

export class ChainRanker {
  private readonly chainEvents: Statement<[string, ...ChainKey], ChainRow>;
  private readonly setUnique: Statement<[number, number]>;

  constructor(db: Db) {
    this.chainEvents = db.prepare(
      `SELECT rowid, instant_ms, unique_window_ms, unique_metric, channel, is_unique FROM events
       WHERE ws = ? AND campaign_id = ? AND variation_id = ? AND user_key = ? AND unique_chain = ?
       ORDER BY instant_ms, id`,
    );
    this.setUnique = db.prepare('UPDATE events SET is_unique = ? WHERE rowid = ?');
  }

  /**
   * Re-ranks every chain the newly stored events belong to, stores the verdicts that changed
   * and adds their ±1 to the tally.
   */
  rerank(workspaceId: string, stored: readonly NormalizedEvent[], tally: DayTally): void {
    const touched = new Map<string, ChainKey>();
    for (const event of stored) {
      if (!event.campaign || !event.unique) continue;
      const key: ChainKey = [
        event.campaign.campaignId,
        event.campaign.variationId,
        event.userKey,
        event.unique.chain,
      ];
      touched.set(key.join('\u0000'), key);
    }
    for (const key of touched.values()) {
      const rows = this.chainEvents.all(workspaceId, ...key);
      const verdicts = rankChain(
        rows.map((r) => ({ instantMs: r.instant_ms, windowMs: r.unique_window_ms })),
      );
      rows.forEach((row, i) => {
        const unique = verdicts[i] ? 1 : 0;
        if (unique === row.is_unique) return;
        this.setUnique.run(unique, row.rowid);
        tally.add(
          {
            campaignId: key[0],
            day: tally.dayOf(row.instant_ms),
            channel: row.channel as Channel,
            variationId: key[1],
            metric: row.unique_metric,
          },
          unique - row.is_unique,
        );
      });
    }
  }
}
