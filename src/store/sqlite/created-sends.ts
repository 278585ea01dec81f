/** Send ids created ahead of their events (`POST /sends/id/create`, SPEC §7). */
import type { Statement } from 'better-sqlite3';
import type { Db } from './schema.js';

export class CreatedSends {
  private readonly insert: Statement<[string, string, string, number]>;
  private readonly found: Statement<[string, string, string], { found: number }>;
  private readonly ofCampaign: Statement<[string, string], { send_id: string }>;

  constructor(db: Db) {
    // OR IGNORE: a retried create keeps the first creation instant.
    this.insert = db.prepare('INSERT OR IGNORE INTO created_sends VALUES (?, ?, ?, ?)');
    this.found = db.prepare(
      'SELECT 1 AS found FROM created_sends WHERE ws = ? AND campaign_id = ? AND send_id = ?',
    );
    this.ofCampaign = db.prepare(
      'SELECT send_id FROM created_sends WHERE ws = ? AND campaign_id = ?',
    );
  }

  create(workspaceId: string, campaignId: string, sendId: string, nowMs: number): void {
    this.insert.run(workspaceId, campaignId, sendId, nowMs);
  }

  ofCampaignIds(workspaceId: string, campaignId: string): string[] {
    return this.ofCampaign.all(workspaceId, campaignId).map((row) => row.send_id);
  }

  exists(workspaceId: string, campaignId: string, sendId: string): boolean {
    return this.found.get(workspaceId, campaignId, sendId) !== undefined;
  }
}
