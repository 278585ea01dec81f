/**
 * The schema of conversions and revenue (SPEC §3, §4; docs/clickhouse.md, "Conversions and
 * revenue"). Attribution runs at query time (attribution.ts) over facts the store already
 * keeps: receipts, enrolments and email engagements are campaign rows of `events`, behaviors
 * are `events` rows with `campaign_id = ''` (found by user through the sorting key). Two things
 * have no such home:
 * - `imported_conversions`: `users.campaigns.Conversion` events count nowhere by themselves, so
 *   `events` stores them with `campaign_id = ''`; a campaign's series must find them by the
 *   campaign they name. A materialized view copies them from every INSERT into `events`, so an
 *   event and its copy are one statement, and the same SELECT backfills the events stored
 *   before this version.
 * - `currency_rates`: the workspace's USD rates, as versions (the latest wins).
 * Version 5 keeps what attribution computed (conversion-figures.ts): `conversion_figures`, the
 * conversion and revenue cells of a local day, valid under a count of `workspace_touches`.
 */
import { createTable, localName, type Layout, type TableSpec } from './tables.js';

const IMPORTED_CONVERSIONS: TableSpec = {
  name: 'imported_conversions',
  // `payload` is the event's flattened fields (as in `events`): the reader parses it with the
  // same domain function as ingest (importedConversionFromCurrents), so nothing is re-derived
  // in SQL. A re-delivered copy has the same key: merges fold it, readers skip repeated ids.
  columns: `
    workspace_id String,
    campaign_key String,
    user_key String,
    id String,
    instant_ms Int64,
    payload String`,
  engine: 'ReplacingMergeTree() ORDER BY (workspace_id, campaign_key, user_key, id)',
  // Like `events`: a user's conversions sit on the shard of the user's receipts.
  shardBy: 'cityHash64(user_key)',
};

const CURRENCY_RATES: TableSpec = {
  name: 'currency_rates',
  columns: 'workspace_id String, currency String, usd_per_unit Float64, version UInt64',
  engine: 'ReplacingMergeTree(version) ORDER BY (workspace_id, currency)',
  shardBy: 'cityHash64(workspace_id)',
};

/**
 * Every string value of a `"campaign_id"` key in the payload, still JSON-escaped. The payload
 * is `JSON.stringify` output, so the event's own top-level `campaign_id` (a string, checked at
 * ingest) is always among them, and a quote inside a string is always escaped, so no match
 * starts inside a string. A nested object may name other campaigns: those rows are extra keys
 * the reader drops after parsing (attribution.ts), never missing ones. (String.raw: the SQL
 * literal doubles each backslash of the RE2 pattern `"campaign_id":"((?:[^"\\]|\\.)*)"`.)
 */
const CAMPAIGN_KEYS = String.raw`extractAll(payload, '"campaign_id":"((?:[^"\\\\]|\\\\.)*)"')`;

/** The key `campaign_key` holds for a campaign id (attribution.ts looks it up with this). */
export const campaignKeyOf = (campaignId: string): string =>
  JSON.stringify(campaignId).slice(1, -1);

const importedSelect = (events: string) => `
SELECT workspace_id, campaign_key, user_key, id, instant_ms, payload
FROM ${events} ARRAY JOIN ${CAMPAIGN_KEYS} AS campaign_key
WHERE event_type = 'users.campaigns.Conversion'`;

/**
 * Tables, then the view, then the backfill: a conversion inserted in between reaches the table
 * twice, which readers ignore (same id). Every statement may run again.
 */
export function attributionMigration(layout: Layout): string[] {
  const events = localName('events', layout);
  const imported = localName(IMPORTED_CONVERSIONS.name, layout);
  return [
    ...[IMPORTED_CONVERSIONS, CURRENCY_RATES].flatMap((table) => createTable(table, layout)),
    `CREATE MATERIALIZED VIEW IF NOT EXISTS imported_conversions_view TO ${imported}
     AS ${importedSelect(events)}`,
    `INSERT INTO ${imported} ${importedSelect(events)}`,
  ];
}

/**
 * Per UTC day, how many events of the workspace (of any campaign, or none) ingests stored or
 * re-delivered there, written by each ingest after everything else (touches.ts). Only its
 * growth matters, so a repeated backfill or a retried batch adding more is harmless.
 */
const WORKSPACE_TOUCHES: TableSpec = {
  name: 'workspace_touches',
  columns: 'workspace_id String, day Int64, n UInt64',
  engine: 'SummingMergeTree() ORDER BY (workspace_id, day)',
  shardBy: 'cityHash64(workspace_id)',
};

/**
 * Kept conversions (conversion-figures.ts): a campaign's conversion and revenue sums (revenue
 * in micro-USD) on one local day, its set of UTC slots (`span`), valid while the workspace's
 * touches that can move them still number `touches` and the rules and rates still digest to
 * `basis`. Reads take the latest computation (`version`, wall-clock microseconds) and check both.
 */
const CONVERSION_FIGURES: TableSpec = {
  name: 'conversion_figures',
  columns: `
    workspace_id String,
    campaign_id String,
    span String,
    touches UInt64,
    basis String,
    version UInt64,
    cell_channel Array(String),
    cell_variation Array(String),
    metric Array(String),
    total Array(Int64)`,
  engine: 'ReplacingMergeTree(version) ORDER BY (workspace_id, campaign_id, span)',
  shardBy: 'cityHash64(workspace_id, campaign_id)',
};

/**
 * Tables, then the backfill of the workspace touches from the events already stored (an event
 * inserted in between is counted twice, which only raises a count). Every statement may run
 * again.
 */
export function keptConversionsMigration(layout: Layout): string[] {
  return [
    ...[WORKSPACE_TOUCHES, CONVERSION_FIGURES].flatMap((table) => createTable(table, layout)),
    `INSERT INTO ${localName(WORKSPACE_TOUCHES.name, layout)}
     SELECT workspace_id, intDiv(instant_ms, 86400000) AS day, count() AS n
     FROM ${localName('events', layout)} GROUP BY workspace_id, day`,
  ];
}
