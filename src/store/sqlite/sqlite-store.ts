/**
 * The embedded store: one SQLite file, `<dataDir>/tally.db` (schema.ts). This module only
 * wires the parts together; each part owns its tables and statements.
 *
 * better-sqlite3 is synchronous, so every method runs to completion before the next starts;
 * each write is one transaction, durable when its promise resolves (synchronous=FULL).
 */
import type { Credit } from '../../domain/attribution.js';
import type { CampaignEvent, CampaignEventQuery, ChainRef } from '../../domain/explain.js';
import type { InstantSpan } from '../../domain/time.js';
import { ExplainReads } from './explain-reads.js';
import { access, constants, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Statement } from 'better-sqlite3';
import type { ApiKeyInfo, NewKeyDetails } from '../../domain/api-key.js';
import type { Campaign, CampaignDefinition } from '../../domain/campaign.js';
import type { NormalizedEvent } from '../../domain/event.js';
import type { Permission } from '../../domain/permissions.js';
import type { SeriesCell } from '../../domain/series.js';
import {
  sendOf,
  sendsOf,
  type ApiKeyGrant,
  type CampaignListing,
  type DayRange,
  type IngestOutcome,
  type ReceiptSpan,
  type RederiveProgress,
  type SendInfo,
  type Store,
  type Workspace,
} from '../store.js';
import { Attribution } from './attribution.js';
import { CampaignModel } from './campaigns.js';
import { CreatedSends } from './created-sends.js';
import { Ingester } from './ingest.js';
import { Listings } from './listings.js';
import { RollupWriter } from './rollup.js';
import { Checkpointer } from './checkpointer.js';
import { databaseFile, openDatabase, type Db } from './schema.js';
import { SeriesQueries } from './series.js';
import { StampedMemo } from './stamped-memo.js';
import { Workspaces } from './workspaces.js';
import { checkCurrencyRate } from '../../domain/currency.js';
import type { DerivationRules } from '../../domain/rules-version.js';
import { CURRENT_RULES } from '../../ingest/rules.js';
import { rederiveIfNeeded } from './rederivation.js';

export interface SqliteStoreOptions {
  /** Folder of the database file; created when missing. */
  readonly dataDir: string;
  /** Checkpoint the WAL on a worker thread (checkpointer.ts): for processes that ingest a lot. */
  readonly backgroundCheckpoints?: boolean;
  /** The rules to derive counts with (default: this release's); tests pass older ones. */
  readonly rules?: DerivationRules;
  /** Told how a re-derivation under newer rules goes (rederivation.ts), for a progress line. */
  readonly onRederive?: (progress: RederiveProgress) => void;
}

class SqliteStore implements Store {
  private readonly workspaces: Workspaces;
  private readonly rollups: RollupWriter;
  private readonly campaigns: CampaignModel;
  private readonly ingester: Ingester;
  private readonly series: SeriesQueries;
  private readonly listings: Listings;
  private readonly createdSends: CreatedSends;
  private readonly explainReads: ExplainReads;
  private readonly define: (
    workspaceId: string,
    definition: CampaignDefinition,
    nowMs: number,
  ) => void;
  private readonly changeZone: (workspaceId: string, timezone: string) => void;
  private readonly attribution: Attribution;
  private readonly setRate: (workspaceId: string, currency: string, usdPerUnit: number) => void;

  private readonly dataVersion: Statement<[], number>;
  private readonly ownChanges: Statement<[], number>;
  private readonly workspaceMemo = new StampedMemo<Workspace | undefined>();
  private readonly campaignMemo = new StampedMemo<Campaign | undefined>();

  constructor(
    private readonly db: Db,
    private readonly checkpointer: Checkpointer | null,
    rules: DerivationRules,
    onRederive: SqliteStoreOptions['onRederive'],
  ) {
    // Prepared once: db.pragma() would prepare anew on every call. The PRAGMA statement costs
    // two thirds of the pragma_data_version table function, and every read asks for a stamp.
    this.dataVersion = db.prepare<[], number>('PRAGMA data_version').pluck();
    this.ownChanges = db.prepare<[], number>('SELECT total_changes()').pluck();
    this.workspaces = new Workspaces(db);
    this.rollups = new RollupWriter(db);
    this.campaigns = new CampaignModel(db);
    this.attribution = new Attribution(db, this.campaigns, this.rollups, this.workspaces);
    this.ingester = new Ingester(
      db,
      this.workspaces,
      this.rollups,
      this.campaigns,
      this.attribution,
    );
    this.series = new SeriesQueries(db, this.workspaces, this.attribution);
    this.listings = new Listings(db);
    this.createdSends = new CreatedSends(db);
    this.explainReads = new ExplainReads(db);
    const define = db.transaction(
      (workspaceId: string, definition: CampaignDefinition, nowMs: number) => {
        this.workspaces.zoneOf(workspaceId);
        const before = this.campaigns.get(workspaceId, definition.campaign_id);
        this.campaigns.define(workspaceId, definition);
        this.attribution.afterDefine(workspaceId, definition.campaign_id, before);
        this.listings.recordEdit(workspaceId, definition.campaign_id, nowMs);
      },
    );
    this.define = (workspaceId, definition, nowMs) =>
      define.immediate(workspaceId, definition, nowMs);
    const changeZone = db.transaction((workspaceId: string, timezone: string) => {
      this.workspaces.setZone(workspaceId, timezone);
      this.rollups.rebuild(workspaceId, timezone);
      this.attribution.rebuild(workspaceId, timezone);
    });
    this.changeZone = (workspaceId, timezone) => changeZone.immediate(workspaceId, timezone);
    const setRate = db.transaction((workspaceId: string, currency: string, usdPerUnit: number) => {
      this.workspaces.zoneOf(workspaceId);
      this.attribution.setRate(workspaceId, currency, usdPerUnit);
    });
    this.setRate = (workspaceId, currency, usdPerUnit) =>
      setRate.immediate(workspaceId, currency, usdPerUnit);
    rederiveIfNeeded(db, this.ingester, rules, onRederive);
  }

  async createWorkspace(name: string, timezone: string): Promise<Workspace> {
    return this.workspaces.create(name, timezone);
  }

  async findWorkspaceByName(name: string): Promise<Workspace | undefined> {
    return this.workspaces.findByName(name);
  }

  async getWorkspace(id: string): Promise<Workspace | undefined> {
    return this.workspaceMemo.get(id, this.stamp(), () => this.workspaces.get(id));
  }

  async setTimezone(workspaceId: string, timezone: string): Promise<void> {
    this.changeZone(workspaceId, timezone);
  }

  async listWorkspaces(): Promise<Workspace[]> {
    return this.workspaces.list();
  }

  async saveApiKey(
    workspaceId: string,
    keyHash: string,
    permissions: readonly Permission[],
    details?: NewKeyDetails,
  ): Promise<void> {
    this.workspaces.saveKey(workspaceId, keyHash, permissions, details);
  }

  async findApiKey(keyHash: string): Promise<ApiKeyGrant | undefined> {
    return this.workspaces.findKey(keyHash);
  }

  async listApiKeys(workspaceId: string): Promise<ApiKeyInfo[]> {
    return this.workspaces.listKeys(workspaceId);
  }

  async revokeApiKey(keyId: string, nowMs: number): Promise<ApiKeyInfo | undefined> {
    return this.workspaces.revokeKey(keyId, nowMs);
  }

  async recordKeyUse(keyHash: string, nowMs: number): Promise<void> {
    this.workspaces.recordUse(keyHash, nowMs);
  }

  async defineCampaign(
    workspaceId: string,
    definition: CampaignDefinition,
    nowMs = Date.now(),
  ): Promise<void> {
    this.define(workspaceId, definition, nowMs);
  }

  async getCampaign(workspaceId: string, campaignId: string): Promise<Campaign | undefined> {
    return this.campaignMemo.get(`${workspaceId}\u0000${campaignId}`, this.stamp(), () =>
      this.campaigns.get(workspaceId, campaignId),
    );
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

  async listCampaigns(workspaceId: string): Promise<CampaignListing[]> {
    return this.listings.list(workspaceId);
  }

  async receiptSpan(workspaceId: string, campaignId: string): Promise<ReceiptSpan | undefined> {
    return this.listings.receiptSpan(workspaceId, campaignId);
  }

  async createSend(
    workspaceId: string,
    campaignId: string,
    sendId: string,
    nowMs: number,
  ): Promise<void> {
    this.createdSends.create(workspaceId, campaignId, sendId, nowMs);
  }

  async getSend(
    workspaceId: string,
    campaignId: string,
    sendId: string,
  ): Promise<SendInfo | undefined> {
    const seen = this.series.getSend(workspaceId, campaignId, sendId);
    const created = !seen && this.createdSends.exists(workspaceId, campaignId, sendId);
    return sendOf({ campaignId, sendId }, seen, created);
  }

  async listSends(workspaceId: string, campaignId: string): Promise<SendInfo[]> {
    return sendsOf(
      campaignId,
      this.series.seenSends(workspaceId, campaignId),
      this.createdSends.ofCampaignIds(workspaceId, campaignId),
    );
  }

  async sendSeries(
    workspaceId: string,
    campaignId: string,
    sendId: string,
    days: DayRange,
  ): Promise<SeriesCell[]> {
    return this.series.sendSeries(workspaceId, campaignId, sendId, days);
  }

  async campaignEvents(
    workspaceId: string,
    campaignId: string,
    query: CampaignEventQuery,
  ): Promise<CampaignEvent[]> {
    return this.explainReads.campaignEvents(workspaceId, campaignId, query);
  }

  async chainEvents(
    workspaceId: string,
    campaignId: string,
    chains: readonly ChainRef[],
    beforeMs: number,
  ): Promise<CampaignEvent[]> {
    return this.explainReads.chainEvents(workspaceId, campaignId, chains, beforeMs);
  }

  async creditsOn(
    workspaceId: string,
    campaignId: string,
    span: InstantSpan,
    sendId: string | null,
    metric: string,
  ): Promise<Credit[]> {
    const recipients =
      sendId === null ? null : this.explainReads.recipientsOf(workspaceId, campaignId, sendId);
    return this.attribution.creditsWithin(workspaceId, campaignId, span, metric, recipients);
  }

  /**
   * `data_version` changes when another connection commits; `total_changes()` counts this
   * connection's own row changes. Together they move on every write, wherever it came from.
   */
  async changeStamp(): Promise<string> {
    return this.stamp();
  }

  private stamp(): string {
    return `${this.dataVersion.get()!}:${this.ownChanges.get()!}`;
  }

  async setCurrencyRate(workspaceId: string, currency: string, usdPerUnit: number): Promise<void> {
    checkCurrencyRate(currency, usdPerUnit);
    this.setRate(workspaceId, currency, usdPerUnit);
  }

  async currencyRates(workspaceId: string): Promise<ReadonlyMap<string, number>> {
    return this.attribution.rates(workspaceId);
  }

  async ready(): Promise<void> {
    if (!this.db.open) throw new Error('the database file is closed');
    // A read through the connection, and the file and its folder writable for the next commit.
    this.dataVersion.get();
    await access(this.db.name, constants.W_OK);
    await access(dirname(this.db.name), constants.W_OK);
  }

  async gauges(): Promise<Readonly<Record<string, number>>> {
    const wal = await stat(`${this.db.name}-wal`).catch(() => null);
    const last = this.checkpointer?.last ?? null;
    return {
      sqlite_wal_bytes: wal?.size ?? 0,
      ...(last === null
        ? {}
        : {
            sqlite_checkpoint_pending_frames: last.pendingFrames,
            sqlite_checkpoint_age_seconds: (Date.now() - last.atMs) / 1000,
          }),
    };
  }

  async close(): Promise<void> {
    await this.checkpointer?.stop();
    this.db.close();
  }
}

export async function openSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  const { dataDir, backgroundCheckpoints = false, rules = CURRENT_RULES, onRederive } = options;
  const db = openDatabase(dataDir, backgroundCheckpoints);
  return new SqliteStore(
    db,
    backgroundCheckpoints ? new Checkpointer(databaseFile(dataDir)) : null,
    rules,
    onRederive,
  );
}
