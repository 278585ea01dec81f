/**
 * The embedded store: one SQLite file, `<dataDir>/tally.db` (schema.ts). This module only
 * wires the parts together; each part owns its tables and statements.
 *
 * better-sqlite3 is synchronous, so every method runs to completion before the next starts;
 * each write is one transaction, durable when its promise resolves (synchronous=FULL).
 */
import type { Campaign, CampaignDefinition } from '../../domain/campaign.js';
import type { NormalizedEvent } from '../../domain/event.js';
import type { Permission } from '../../domain/permissions.js';
import type { SeriesCell } from '../../domain/series.js';
import type { ApiKeyGrant, DayRange, IngestOutcome, SendInfo, Store, Workspace } from '../store.js';
import { CampaignModel } from './campaigns.js';
import { Ingester } from './ingest.js';
import { RollupWriter } from './rollup.js';
import { openDatabase, type Db } from './schema.js';
import { SeriesQueries } from './series.js';
import { Workspaces } from './workspaces.js';

export interface SqliteStoreOptions {
  /** Folder of the database file; created when missing. */
  readonly dataDir: string;
}

class SqliteStore implements Store {
  private readonly workspaces: Workspaces;
  private readonly rollups: RollupWriter;
  private readonly campaigns: CampaignModel;
  private readonly ingester: Ingester;
  private readonly series: SeriesQueries;
  private readonly changeZone: (workspaceId: string, timezone: string) => void;

  constructor(private readonly db: Db) {
    this.workspaces = new Workspaces(db);
    this.rollups = new RollupWriter(db);
    this.campaigns = new CampaignModel(db);
    this.ingester = new Ingester(db, this.workspaces, this.rollups, this.campaigns);
    this.series = new SeriesQueries(db, this.workspaces);
    const changeZone = db.transaction((workspaceId: string, timezone: string) => {
      this.workspaces.setZone(workspaceId, timezone);
      this.rollups.rebuild(workspaceId, timezone);
    });
    this.changeZone = (workspaceId, timezone) => changeZone.immediate(workspaceId, timezone);
  }

  async createWorkspace(name: string, timezone: string): Promise<Workspace> {
    return this.workspaces.create(name, timezone);
  }

  async findWorkspaceByName(name: string): Promise<Workspace | undefined> {
    return this.workspaces.findByName(name);
  }

  async getWorkspace(id: string): Promise<Workspace | undefined> {
    return this.workspaces.get(id);
  }

  async setTimezone(workspaceId: string, timezone: string): Promise<void> {
    this.changeZone(workspaceId, timezone);
  }

  async saveApiKey(
    workspaceId: string,
    keyHash: string,
    permissions: readonly Permission[],
  ): Promise<void> {
    this.workspaces.saveKey(workspaceId, keyHash, permissions);
  }

  async findApiKey(keyHash: string): Promise<ApiKeyGrant | undefined> {
    return this.workspaces.findKey(keyHash);
  }

  async defineCampaign(workspaceId: string, definition: CampaignDefinition): Promise<void> {
    this.workspaces.zoneOf(workspaceId);
    this.campaigns.define(workspaceId, definition);
  }

  async getCampaign(workspaceId: string, campaignId: string): Promise<Campaign | undefined> {
    return this.campaigns.get(workspaceId, campaignId);
  }

  async ingest(workspaceId: string, events: readonly NormalizedEvent[]): Promise<IngestOutcome> {
    return this.ingester.ingest(workspaceId, events);
  }

  async campaignSeries(
    workspaceId: string,
    campaignId: string,
    days: DayRange,
  ): Promise<SeriesCell[]> {
    return this.series.campaignSeries(workspaceId, campaignId, days);
  }

  async getSend(
    workspaceId: string,
    campaignId: string,
    sendId: string,
  ): Promise<SendInfo | undefined> {
    return this.series.getSend(workspaceId, campaignId, sendId);
  }

  async sendSeries(
    workspaceId: string,
    campaignId: string,
    sendId: string,
    days: DayRange,
  ): Promise<SeriesCell[]> {
    return this.series.sendSeries(workspaceId, campaignId, sendId, days);
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

export async function openSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  return new SqliteStore(openDatabase(options.dataDir));
}
