/**
 * The ClickHouse store (docs/clickhouse.md): one node, or a sharded cluster through
 * `Distributed` tables. This module wires the parts together and creates or migrates the
 * schema on open; each part owns its queries.
 *
 * Several API processes may use the same database at once: every write is an append, and
 * every answer is computed, or kept under a change counter (day-figures.ts), in a way that
 * copies of an event cannot change.
 */
import type { Credit } from '../../domain/attribution.js';
import type { CampaignEvent, CampaignEventQuery, ChainRef } from '../../domain/explain.js';
import type { InstantSpan } from '../../domain/time.js';
import { ExplainReads } from './explain-reads.js';
import { sendCutoffMs } from '../../domain/sends.js';
import type { ApiKeyInfo, NewKeyDetails } from '../../domain/api-key.js';
import type { Campaign, CampaignDefinition } from '../../domain/campaign.js';
import { checkCurrencyRate } from '../../domain/currency.js';
import type { NormalizedEvent } from '../../domain/event.js';
import type { Permission } from '../../domain/permissions.js';
import type { DerivationRules } from '../../domain/rules-version.js';
import type { SeriesCell } from '../../domain/series.js';
import { CURRENT_RULES } from '../../ingest/rules.js';
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
import { Conversions } from './attribution.js';
import { CampaignModel } from './campaigns.js';
import { ConversionFigures } from './conversion-figures.js';
import type { ClickHouseConnection } from './connection.js';
import { ClickHouseHttp } from './http.js';
import { ingestEvents } from './ingest.js';
import { Listings } from './listings.js';
import { rederiveIfNeeded } from './rederivation.js';
import { migrate } from './schema.js';
import { SeriesQueries } from './series.js';
import { Workspaces } from './workspaces.js';

export interface ClickHouseStoreOptions {
  /** HTTP endpoint of the server all queries go to (any node of a cluster). */
  readonly url: string;
  /** Default `tally`. */
  readonly database?: string;
  /**
   * A cluster: its name in the servers' `remote_servers` and the HTTP endpoint of every
   * node, where the local tables are created (ON CLUSTER would need ZooKeeper).
   */
  readonly cluster?: { readonly name: string; readonly nodes: readonly string[] };
  /** User, password, CA, timeouts and retries (http.ts). */
  readonly connection?: ClickHouseConnection;
  /** The rules to derive counts with (default: this release's); tests pass older ones. */
  readonly rules?: DerivationRules;
  /** Told how a re-derivation under newer rules goes (rederivation.ts), for a progress line. */
  readonly onRederive?: (progress: RederiveProgress) => void;
}

/** Identifiers go into DDL, never values: they must be plain names. */
function identifier(what: string, name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name)) {
    throw new Error(`${what} must be letters, digits and _ (got ${JSON.stringify(name)})`);
  }
  return name;
}

/** The settings of every request of the store (also used by the benchmark's direct queries). */
export const clickHouseSettings = (database: string) => ({
  database,
  // 64-bit integers as JSON numbers: every one here (ms instants, counts) is below 2^53.
  output_format_json_quote_64bit_integers: '0',
  // A Distributed insert returns once every shard has the rows: durable and readable.
  insert_distributed_sync: '1',
  // An IN over a Distributed table inside a Distributed query reads each shard's own rows:
  // its uses (day-figures.ts, attribution.ts) are per user, and a user's rows share a shard.
  distributed_product_mode: 'local',
});

class ClickHouseStore implements Store {
  private readonly workspaces: Workspaces;
  private readonly campaigns: CampaignModel;
  private readonly series: SeriesQueries;
  private readonly listings: Listings;
  private readonly conversions: Conversions;
  private readonly conversionFigures: ConversionFigures;
  private readonly explainReads: ExplainReads;

  constructor(private readonly db: ClickHouseHttp) {
    this.listings = new Listings(db);
    this.workspaces = new Workspaces(db);
    this.campaigns = new CampaignModel(db);
    this.series = new SeriesQueries(db);
    this.conversions = new Conversions(db, this.campaigns);
    this.conversionFigures = new ConversionFigures(db, this.conversions);
    this.explainReads = new ExplainReads(db);
  }

  createWorkspace(name: string, timezone: string): Promise<Workspace> {
    return this.workspaces.create(name, timezone);
  }

  findWorkspaceByName(name: string): Promise<Workspace | undefined> {
    return this.workspaces.findByName(name);
  }

  getWorkspace(id: string): Promise<Workspace | undefined> {
    return this.workspaces.get(id);
  }

  setTimezone(workspaceId: string, timezone: string): Promise<void> {
    return this.workspaces.setZone(workspaceId, timezone);
  }

  listWorkspaces(): Promise<Workspace[]> {
    return this.workspaces.list();
  }

  saveApiKey(
    workspaceId: string,
    keyHash: string,
    permissions: readonly Permission[],
    details?: NewKeyDetails,
  ): Promise<void> {
    return this.workspaces.saveKey(workspaceId, keyHash, permissions, details);
  }

  findApiKey(keyHash: string): Promise<ApiKeyGrant | undefined> {
    return this.workspaces.findKey(keyHash);
  }

  listApiKeys(workspaceId: string): Promise<ApiKeyInfo[]> {
    return this.workspaces.listKeys(workspaceId);
  }

  revokeApiKey(keyId: string, nowMs: number): Promise<ApiKeyInfo | undefined> {
    return this.workspaces.revokeKey(keyId, nowMs);
  }

  recordKeyUse(keyHash: string, nowMs: number): Promise<void> {
    return this.workspaces.recordUse(keyHash, nowMs);
  }

  async defineCampaign(
    workspaceId: string,
    definition: CampaignDefinition,
    nowMs = Date.now(),
  ): Promise<void> {
    await this.workspaces.zoneOf(workspaceId);
    await this.campaigns.define(workspaceId, definition);
    await this.listings.recordEdit(workspaceId, definition.campaign_id, nowMs);
  }

  listCampaigns(workspaceId: string): Promise<CampaignListing[]> {
    return this.listings.list(workspaceId);
  }

  receiptSpan(workspaceId: string, campaignId: string): Promise<ReceiptSpan | undefined> {
    return this.listings.receiptSpan(workspaceId, campaignId);
  }

  createSend(
    workspaceId: string,
    campaignId: string,
    sendId: string,
    nowMs: number,
  ): Promise<void> {
    return this.listings.createSend(workspaceId, campaignId, sendId, nowMs);
  }

  getCampaign(workspaceId: string, campaignId: string): Promise<Campaign | undefined> {
    return this.campaigns.get(workspaceId, campaignId);
  }

  async ingest(workspaceId: string, events: readonly NormalizedEvent[]): Promise<IngestOutcome> {
    await this.workspaces.zoneOf(workspaceId);
    return ingestEvents(this.db, workspaceId, events);
  }

  async campaignSeries(
    workspaceId: string,
    campaignId: string,
    days: DayRange,
  ): Promise<SeriesCell[]> {
    const zone = await this.workspaces.zoneOf(workspaceId);
    // Conversions and revenue are attributed at query time and kept per day
    // (conversion-figures.ts); their metrics are none of the event metrics, so the two lists
    // of cells simply add up.
    const [counted, credited] = await Promise.all([
      this.series.campaignSeries(workspaceId, campaignId, zone, days),
      this.conversionFigures.campaignCells(workspaceId, campaignId, zone, days),
    ]);
    return [...counted, ...credited];
  }

  async getSend(
    workspaceId: string,
    campaignId: string,
    sendId: string,
  ): Promise<SendInfo | undefined> {
    const seen = await this.series.getSend(workspaceId, campaignId, sendId);
    const created = !seen && (await this.listings.sendCreated(workspaceId, campaignId, sendId));
    return sendOf({ campaignId, sendId }, seen, created);
  }

  async listSends(workspaceId: string, campaignId: string): Promise<SendInfo[]> {
    const [seen, created] = await Promise.all([
      this.series.seenSends(workspaceId, campaignId),
      this.listings.createdSendIds(workspaceId, campaignId),
    ]);
    return sendsOf(campaignId, seen, created);
  }

  async sendSeries(
    workspaceId: string,
    campaignId: string,
    sendId: string,
    days: DayRange,
  ): Promise<SeriesCell[]> {
    const [zone, send] = await Promise.all([
      this.workspaces.zoneOf(workspaceId),
      this.series.getSend(workspaceId, campaignId, sendId),
    ]);
    // A send only created (no event yet) has nothing to count.
    if (!send) return [];
    // The first receipt, even a late one, sets the cutoff (as the embedded store does).
    const cutoffMs = sendCutoffMs(send.firstReceiptMs);
    const [counted, credited] = await Promise.all([
      this.series.sendSeries(workspaceId, campaignId, sendId, zone, days, cutoffMs),
      this.conversions.sendCells(workspaceId, campaignId, sendId, zone, days, cutoffMs),
    ]);
    return [...counted, ...credited];
  }

  campaignEvents(
    workspaceId: string,
    campaignId: string,
    query: CampaignEventQuery,
  ): Promise<CampaignEvent[]> {
    return this.explainReads.campaignEvents(workspaceId, campaignId, query);
  }

  chainEvents(
    workspaceId: string,
    campaignId: string,
    chains: readonly ChainRef[],
    beforeMs: number,
  ): Promise<CampaignEvent[]> {
    return this.explainReads.chainEvents(workspaceId, campaignId, chains, beforeMs);
  }

  creditsOn(
    workspaceId: string,
    campaignId: string,
    span: InstantSpan,
    sendId: string | null,
    metric: string,
  ): Promise<Credit[]> {
    return this.conversions.credits(workspaceId, campaignId, span, sendId, metric);
  }

  /** Past purchases are re-priced by the next series request: kept days carry their rates' digest. */
  async setCurrencyRate(workspaceId: string, currency: string, usdPerUnit: number): Promise<void> {
    checkCurrencyRate(currency, usdPerUnit);
    await this.workspaces.zoneOf(workspaceId);
    await this.conversions.setRate(workspaceId, currency, usdPerUnit);
  }

  currencyRates(workspaceId: string): Promise<ReadonlyMap<string, number>> {
    return this.conversions.rates(workspaceId);
  }

  /** ClickHouse has no cheap global change counter, so its answers are never reused. */
  async changeStamp(): Promise<null> {
    return null;
  }

  async ready(): Promise<void> {
    try {
      await this.db.query('SELECT 1 AS ok');
    } catch (error) {
      throw new Error(`ClickHouse does not answer: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Nothing of its own to report: request errors and retries are counted by the caller. */
  async gauges(): Promise<Readonly<Record<string, number>>> {
    return {};
  }

  /** Closes the kept-alive connections to ClickHouse. */
  async close(): Promise<void> {
    await this.db.close();
  }
}

/** Connects, creates the database and schema when missing, and migrates an older schema. */
export async function openClickHouseStore(options: ClickHouseStoreOptions): Promise<Store> {
  const database = identifier('the ClickHouse database', options.database ?? 'tally');
  const cluster = options.cluster ?? null;
  const layout = { cluster: cluster && identifier('the ClickHouse cluster', cluster.name) };
  const connection = options.connection ?? {};
  const nodes = (cluster?.nodes ?? [options.url]).map(
    (url) => new ClickHouseHttp(url, clickHouseSettings(database), connection),
  );
  const db = new ClickHouseHttp(options.url, clickHouseSettings(database), connection);
  try {
    for (const node of nodes) {
      const server = node.withSettings({});
      await migrate(node, server, database, layout).finally(() => server.close());
    }
    await rederiveIfNeeded(
      { db, nodes, layout },
      options.rules ?? CURRENT_RULES,
      options.onRederive,
    );
  } catch (error) {
    await db.close();
    throw error;
  } finally {
    await Promise.all(nodes.map((node) => node.close()));
  }
  return new ClickHouseStore(db);
}
