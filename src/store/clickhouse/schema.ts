/**
 * The ClickHouse schema (docs/clickhouse.md explains the design) and its versioned migrations;
 * tables.ts says how each logical table is laid out on one node or a cluster.
 *
 * Syntax is limited to what ClickHouse 18.16 (Debian) and current releases both accept:
 * no LowCardinality, no column CODECs, no TTL, no `ON CLUSTER` (it needs ZooKeeper), no
 * Nullable columns ('' and 0 stand for "none"), no query parameters (see http.ts).
 */
import type { ClickHouseHttp } from './http.js';
import { attributionMigration, keptConversionsMigration } from './attribution-schema.js';
import { buttonSeenMigration, rollupMigration } from './rollup-schema.js';
import { createTable, localName, type Layout, type TableSpec } from './tables.js';

const TABLES: readonly TableSpec[] = [
  {
    // Every stored event with what it counts for (NormalizedEvent). A re-delivered id has the
    // same content, hence the same sorting key: ReplacingMergeTree folds the copies in its
    // merges and the count queries read with FINAL, so copies never count twice meanwhile.
    name: 'events',
    columns: `
      workspace_id String,
      id String,
      hash String,
      event_type String,
      instant_ms Int64,
      user_key String,
      payload String,
      campaign_id String,
      campaign_name String,
      variation_id String,
      variation_name String,
      send_id String,
      channel String,
      metrics Array(String),
      unique_metric String,
      -- 0: only the first event of the chain ever is unique (content cards).
      unique_window_ms UInt64,
      unique_chain String,
      receipt UInt8,
      enrols_control UInt8,
      inserted_ms Int64`,
    engine: 'ReplacingMergeTree() ORDER BY (workspace_id, campaign_id, user_key, id)',
    shardBy: 'cityHash64(user_key)',
  },
  {
    // Event id → content hash, for deduplication and conflicts at ingest (a lookup by id
    // that the campaign-ordered `events` cannot serve).
    name: 'event_ids',
    columns: 'workspace_id String, id String, hash String, inserted_ms Int64',
    engine: 'ReplacingMergeTree() ORDER BY (workspace_id, id)',
    shardBy: 'cityHash64(id)',
  },
  {
    // Mutable rows are new versions: read with argMax(column, version) grouped by the key.
    name: 'workspaces',
    columns: 'id String, name String, timezone String, created_at_ms Int64, version UInt64',
    engine: 'ReplacingMergeTree(version) ORDER BY id',
    shardBy: 'cityHash64(id)',
  },
  {
    name: 'api_keys',
    columns: 'key_hash String, workspace_id String, permissions Array(String), version UInt64',
    engine: 'ReplacingMergeTree(version) ORDER BY key_hash',
    shardBy: 'cityHash64(key_hash)',
  },
  {
    name: 'campaign_definitions',
    columns: 'workspace_id String, campaign_id String, definition String, version UInt64',
    engine: 'ReplacingMergeTree(version) ORDER BY (workspace_id, campaign_id)',
    shardBy: 'cityHash64(workspace_id, campaign_id)',
  },
];

/**
 * Tables of schema version 2 (SPEC §7): plain appends, read as min/max, so a repeated row
 * changes nothing and no version column is needed.
 */
const COMPANION_TABLES: readonly TableSpec[] = [
  {
    // One row per definition of a campaign: first = created, last = last edited.
    name: 'campaign_edits',
    columns: 'workspace_id String, campaign_id String, edited_ms Int64',
    engine: 'MergeTree() ORDER BY (workspace_id, campaign_id, edited_ms)',
    shardBy: 'cityHash64(workspace_id, campaign_id)',
  },
  {
    // Send ids created by POST /sends/id/create before any event carries them.
    name: 'created_sends',
    columns: 'workspace_id String, campaign_id String, send_id String, created_ms Int64',
    engine: 'MergeTree() ORDER BY (workspace_id, campaign_id, send_id)',
    shardBy: 'cityHash64(workspace_id, campaign_id)',
  },
];

/**
 * Migration i brings a node from schema version i to i + 1; each is a list of idempotent
 * statements, so processes starting at once (or a crash halfway) just repeat them.
 * Later versions append entries here (e.g. ALTER TABLE ... ADD COLUMN on local and
 * Distributed tables alike); shipped entries never change.
 */
/**
 * Schema version 7: the rules version the derived tables were computed under, as a log of
 * re-derivation phases (rederivation.ts); the latest row is the state. No row: version 1.
 */
export const RULES_STATE: TableSpec = {
  name: 'rules_state',
  columns: 'version UInt32, phase String, at_us UInt64',
  engine: 'MergeTree() ORDER BY at_us',
  shardBy: 'cityHash64(at_us)',
};

/**
 * Every table whose rows are derived from the stored events, `events` aside (what users
 * configured stays: workspaces, keys, definitions and edits, created sends, currency rates).
 */
export const DERIVED_TABLES = [
  'event_ids',
  'slot_cells',
  'chain_events',
  'campaign_seen',
  'button_seen',
  'campaign_touches',
  'day_figures',
  'imported_conversions',
  'workspace_touches',
  'conversion_figures',
  'campaign_timeline',
] as const;

/**
 * Schema version 8, key lifecycle (SPEC §6): what `api_keys` does not say of a key, as versions
 * (a revocation is a newer version), and when each key was last used (the latest wins). Keys
 * made before have no details row: no prefix, no dates, not revoked.
 */
const KEY_TABLES: readonly TableSpec[] = [
  {
    name: 'api_key_details',
    columns: `key_hash String, workspace_id String, prefix String, created_ms Int64,
      expires_ms Int64, revoked_ms Int64, version UInt64`,
    engine: 'ReplacingMergeTree(version) ORDER BY key_hash',
    shardBy: 'cityHash64(key_hash)',
  },
  {
    name: 'api_key_uses',
    columns: 'key_hash String, used_ms Int64',
    engine: 'ReplacingMergeTree(used_ms) ORDER BY key_hash',
    shardBy: 'cityHash64(key_hash)',
  },
];

/**
 * Schema version 9, explanations (src/store/explain.ts): a campaign's events in time order, so
 * one day of a campaign is an index range; `events` is ordered by user, and a day of a large
 * campaign would read all of it. The columns are what explanations read (no payload). A view
 * fills it from every INSERT into `events` (in a cluster, on the event's shard); the backfill
 * covers what is stored. Copies of an event share the sorting key and fold in merges; readers
 * take each id once meanwhile.
 */
const CAMPAIGN_TIMELINE: TableSpec = {
  name: 'campaign_timeline',
  columns: `
    workspace_id String,
    campaign_id String,
    instant_ms Int64,
    id String,
    event_type String,
    user_key String,
    variation_id String,
    send_id String,
    channel String,
    metrics Array(String),
    unique_metric String,
    unique_window_ms UInt64,
    unique_chain String,
    receipt UInt8,
    enrols_control UInt8`,
  engine: 'ReplacingMergeTree() ORDER BY (workspace_id, campaign_id, instant_ms, id)',
  shardBy: 'cityHash64(user_key)',
};

function timelineMigration(layout: Layout): string[] {
  const events = localName('events', layout);
  const select = `SELECT workspace_id, campaign_id, instant_ms, id, event_type, user_key,
    variation_id, send_id, channel, metrics, unique_metric, unique_window_ms, unique_chain,
    receipt, enrols_control FROM ${events} WHERE campaign_id != ''`;
  const table = localName(CAMPAIGN_TIMELINE.name, layout);
  return [
    ...createTable(CAMPAIGN_TIMELINE, layout),
    `CREATE MATERIALIZED VIEW IF NOT EXISTS campaign_timeline_view TO ${table} AS ${select}`,
    `INSERT INTO ${table} ${select}`,
  ];
}

const MIGRATIONS: readonly ((layout: Layout) => string[])[] = [
  (layout) => TABLES.flatMap((table) => createTable(table, layout)),
  (layout) => COMPANION_TABLES.flatMap((table) => createTable(table, layout)),
  rollupMigration,
  attributionMigration,
  keptConversionsMigration,
  buttonSeenMigration,
  (layout) => createTable(RULES_STATE, layout),
  (layout) => [...KEY_TABLES.flatMap((table) => createTable(table, layout))],
  timelineMigration,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Creates the database and brings one node's schema up to date. */
export async function migrate(
  node: ClickHouseHttp,
  serverLevel: ClickHouseHttp,
  database: string,
  layout: Layout,
): Promise<void> {
  await serverLevel.exec(`CREATE DATABASE IF NOT EXISTS ${database}`);
  await node.exec(
    `CREATE TABLE IF NOT EXISTS schema_migrations (version UInt32, applied_ms Int64)
     ENGINE = MergeTree() ORDER BY version`,
  );
  const [row] = await node.query<{ version: number }>(
    'SELECT max(version) AS version FROM schema_migrations',
  );
  const current = row?.version ?? 0;
  if (current > SCHEMA_VERSION) {
    throw new Error(
      `ClickHouse database ${database} has schema version ${current}; this Tally knows up to ${SCHEMA_VERSION}. Upgrade Tally.`,
    );
  }
  for (let version = current; version < SCHEMA_VERSION; version++) {
    for (const statement of MIGRATIONS[version]!(layout)) await node.exec(statement);
    await node.insert('schema_migrations', [{ version: version + 1, applied_ms: Date.now() }]);
  }
}
