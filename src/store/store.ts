/**
 * The one storage interface. The embedded SQLite store (sqlite/) and the ClickHouse store
 * (clickhouse/) both implement it and both pass test/store/contract.ts.
 *
 * Every method is async so that a networked store fits; every answer must be a function of
 * the event set only (SPEC preamble): arrival order, batch boundaries and retries change nothing.
 */
import type { ApiKeyInfo, NewKeyDetails } from '../domain/api-key.js';
import type { Campaign, CampaignDefinition } from '../domain/campaign.js';
import type { NormalizedEvent } from '../domain/event.js';
import type { Permission } from '../domain/permissions.js';
import type { Credit } from '../domain/attribution.js';
import type { CampaignEvent, CampaignEventQuery, ChainRef } from '../domain/explain.js';
import type { SeriesCell } from '../domain/series.js';
import type { CampaignListing } from '../domain/campaign-listing.js';
import type { DayRange, InstantSpan } from '../domain/time.js';

// Defined beside the rules that use them; stores and routes import them from here too.
export type { CampaignListing, DayRange };

export interface Workspace {
  readonly id: string;
  readonly name: string;
  /** IANA zone name of the reporting time zone (SPEC §1). */
  readonly timezone: string;
  readonly createdAtMs: number;
}

export interface ApiKeyGrant {
  readonly workspaceId: string;
  readonly permissions: readonly Permission[];
  /** After this instant the key is refused; null: never. */
  readonly expiresAtMs: number | null;
}

export interface IngestOutcome {
  /** Newly stored events that count for a campaign. */
  readonly accepted: number;
  /** Events whose id was already stored with the same content. */
  readonly duplicates: number;
  /** Positions (in the array passed in) of those duplicates. */
  readonly duplicatePositions: readonly number[];
  /** Newly stored events that count nowhere (SPEC §2). */
  readonly ignored: number;
  /** Positions (in the array passed in) of events whose id was stored with other content. */
  readonly conflicts: readonly number[];
}

export interface SendInfo {
  readonly campaignId: string;
  readonly sendId: string;
  /** First receipt instant of the send (SPEC §4), null before any receipt. */
  readonly firstReceiptMs: number | null;
}

/**
 * A send as getSend gives it: as its events show it (`seen`), else, when it was only created
 * with createSend, without a receipt yet; else none.
 */
export function sendOf(
  ids: { readonly campaignId: string; readonly sendId: string },
  seen: SendInfo | undefined,
  created: boolean,
): SendInfo | undefined {
  return seen ?? (created ? { ...ids, firstReceiptMs: null } : undefined);
}

/**
 * Every send of a campaign (seen in its events or only created), oldest first receipt first,
 * sends without a receipt last, then by id.
 */
export function sendsOf(
  campaignId: string,
  seen: readonly SendInfo[],
  createdIds: readonly string[],
): SendInfo[] {
  const byId = new Map(seen.map((send) => [send.sendId, send]));
  for (const sendId of createdIds) {
    if (!byId.has(sendId)) byId.set(sendId, { campaignId, sendId, firstReceiptMs: null });
  }
  const order = (send: SendInfo): number => send.firstReceiptMs ?? Number.POSITIVE_INFINITY;
  return [...byId.values()].sort(
    (a, b) => order(a) - order(b) || (a.sendId < b.sendId ? -1 : a.sendId > b.sendId ? 1 : 0),
  );
}

/** The earliest and latest receipt instants of a campaign (SPEC §2 receipts). */
export interface ReceiptSpan {
  readonly firstMs: number;
  readonly lastMs: number;
}

/** How far a re-derivation under newer rules has come (domain/rules-version.ts). */
export interface RederiveProgress {
  readonly rulesVersion: number;
  readonly done: number;
  readonly total: number;
}

export interface Store {
  createWorkspace(name: string, timezone: string): Promise<Workspace>;
  findWorkspaceByName(name: string): Promise<Workspace | undefined>;
  getWorkspace(id: string): Promise<Workspace | undefined>;
  /** Changes the reporting zone; every past day is answered in the new zone from then on. */
  setTimezone(workspaceId: string, timezone: string): Promise<void>;

  /** Every workspace, oldest first. */
  listWorkspaces(): Promise<Workspace[]>;

  /** Keys are stored hashed (src/api/keys.ts); the store never sees a key. */
  saveApiKey(
    workspaceId: string,
    keyHash: string,
    permissions: readonly Permission[],
    details?: NewKeyDetails,
  ): Promise<void>;
  /** The grant of a key that is not revoked (expired keys too: the caller checks the instant). */
  findApiKey(keyHash: string): Promise<ApiKeyGrant | undefined>;
  /** The workspace's keys, revoked ones included, oldest first. */
  listApiKeys(workspaceId: string): Promise<ApiKeyInfo[]>;
  /** Revokes the key with this id (ApiKeyInfo.id); undefined when there is none. */
  revokeApiKey(keyId: string, nowMs: number): Promise<ApiKeyInfo | undefined>;
  /** Records that the key was used at `nowMs` (the API calls it at most once a minute per key). */
  recordKeyUse(keyHash: string, nowMs: number): Promise<void>;

  /**
   * Replaces the campaign's definition; `nowMs` (default: the wall clock) dates the edit for
   * CampaignListing.
   */
  defineCampaign(
    workspaceId: string,
    definition: CampaignDefinition,
    nowMs?: number,
  ): Promise<void>;
  /** A defined campaign, or one first seen in events; undefined when neither. */
  getCampaign(workspaceId: string, campaignId: string): Promise<Campaign | undefined>;

  /**
   * Stores the events and updates every rollup. When the promise resolves, the accepted
   * events are durable: a crash of the process right after loses none of them.
   */
  ingest(workspaceId: string, events: readonly NormalizedEvent[]): Promise<IngestOutcome>;

  /** Non-zero figures of a campaign for the days of the range. */
  campaignSeries(workspaceId: string, campaignId: string, days: DayRange): Promise<SeriesCell[]>;
  /** Every defined or seen campaign of the workspace, in no particular order. */
  listCampaigns(workspaceId: string): Promise<CampaignListing[]>;
  /** Undefined when the campaign has no receipt. */
  receiptSpan(workspaceId: string, campaignId: string): Promise<ReceiptSpan | undefined>;

  /**
   * Registers a send id before any event carries it (`POST /sends/id/create`), so getSend
   * finds it at once. Creating an existing one again changes nothing (a retried request).
   */
  createSend(workspaceId: string, campaignId: string, sendId: string, nowMs: number): Promise<void>;
  /** A send created with createSend or carried by an event of the campaign. */
  getSend(workspaceId: string, campaignId: string, sendId: string): Promise<SendInfo | undefined>;
  /** Every send of the campaign (`GET /sends/list`), as sendsOf orders them. */
  listSends(workspaceId: string, campaignId: string): Promise<SendInfo[]>;
  /** Non-zero figures of one send id (SPEC §4: only events before first receipt + 14 days). */
  sendSeries(
    workspaceId: string,
    campaignId: string,
    sendId: string,
    days: DayRange,
  ): Promise<SeriesCell[]>;

  /**
   * What explanations read (src/store/explain.ts): the campaign's stored events the query
   * names. Copies of an id may come back twice.
   */
  campaignEvents(
    workspaceId: string,
    campaignId: string,
    query: CampaignEventQuery,
  ): Promise<CampaignEvent[]>;
  /** Every stored event of these unique chains (SPEC §2) before `beforeMs`, and maybe more. */
  chainEvents(
    workspaceId: string,
    campaignId: string,
    chains: readonly ChainRef[],
    beforeMs: number,
  ): Promise<CampaignEvent[]>;
  /**
   * Every credit (domain/attribution.ts) that can count in `metric` (a conversion field or
   * `revenue`) on the instants of `span` (a local day's): a superset, of the send's recipients
   * only when `sendId` is given.
   */
  creditsOn(
    workspaceId: string,
    campaignId: string,
    span: InstantSpan,
    sendId: string | null,
    metric: string,
  ): Promise<Credit[]>;

  /**
   * Sets the USD value of one unit of `currency` (ISO 4217, upper case) for the workspace's
   * revenue (SPEC §3) and re-attributes the purchases in that currency, past ones included.
   */
  setCurrencyRate(workspaceId: string, currency: string, usdPerUnit: number): Promise<void>;
  /** The workspace's rates: currency code to the USD value of one unit (USD not included). */
  currencyRates(workspaceId: string): Promise<ReadonlyMap<string, number>>;

  /**
   * A value that changes whenever any write (from this process or another) could have changed
   * an answer; null when the store cannot tell cheaply. Lets the API reuse a rendered answer
   * exactly as long as it is still right (src/api/series-cache.ts).
   */
  changeStamp(): Promise<string | null>;

  /**
   * Resolves when the store can answer and take writes now (GET /readyz); throws an Error whose
   * message says what is wrong (the file is not writable, ClickHouse does not answer).
   */
  ready(): Promise<void>;

  /**
   * Gauges of the store's own state for /metrics (names without the `tally_` prefix, e.g.
   * `sqlite_wal_bytes`); never a workspace's data.
   */
  gauges(): Promise<Readonly<Record<string, number>>>;

  close(): Promise<void>;
}
