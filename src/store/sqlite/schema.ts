/**
 * The SQLite file layout: connection settings and the schema, versioned with `user_version`
 * so a later release can migrate an existing file forward step by step.
 *
 * Nothing is stored in local-day buckets only (SPEC §1): `events` keeps every event with what
 * it counts for, and the day tables are rollups that `setTimezone` rebuilds from it.
 * Null channel / variation ids are stored as '' so they can be part of primary keys.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export type Db = Database.Database;

/** Each entry migrates the file from version i to version i + 1. */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE workspaces (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    timezone TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL
  );
  CREATE TABLE api_keys (
    key_hash TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    permissions TEXT NOT NULL
  );
  CREATE TABLE campaign_definitions (
    ws TEXT NOT NULL,
    campaign_id TEXT NOT NULL,
    definition TEXT NOT NULL,
    PRIMARY KEY (ws, campaign_id)
  ) WITHOUT ROWID;

  -- Every event ever accepted, with what it counts for (NormalizedEvent). is_unique is the
  -- current verdict of its unique chain; it can flip when a late event re-ranks the chain.
  CREATE TABLE events (
    ws TEXT NOT NULL,
    id TEXT NOT NULL,
    hash TEXT NOT NULL,
    event_type TEXT NOT NULL,
    instant_ms INTEGER NOT NULL,
    user_key TEXT NOT NULL,
    payload TEXT NOT NULL,
    campaign_id TEXT,
    campaign_name TEXT,
    variation_id TEXT,
    variation_name TEXT,
    send_id TEXT,
    channel TEXT,
    metrics TEXT NOT NULL,
    unique_metric TEXT,
    unique_window_ms INTEGER,
    unique_chain TEXT,
    receipt INTEGER NOT NULL,
    enrols_control INTEGER NOT NULL,
    is_unique INTEGER NOT NULL DEFAULT 0,
    UNIQUE (ws, id)
  );
  CREATE INDEX events_chain ON events (ws, campaign_id, variation_id, user_key, unique_chain, instant_ms, id)
    WHERE unique_chain IS NOT NULL;
  CREATE INDEX events_send ON events (ws, campaign_id, send_id, instant_ms)
    WHERE send_id IS NOT NULL;

  -- Rollups by local day (day number in the workspace zone); rebuilt on a zone change.
  CREATE TABLE day_counts (
    ws TEXT NOT NULL,
    campaign_id TEXT NOT NULL,
    day INTEGER NOT NULL,
    channel TEXT NOT NULL,
    variation_id TEXT NOT NULL,
    metric TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (ws, campaign_id, day, channel, variation_id, metric)
  ) WITHOUT ROWID;
  -- Who was counted in a distinct-user metric (unique_recipients, enrolled), so each user
  -- counts once per cell whatever the order and batches.
  CREATE TABLE day_members (
    ws TEXT NOT NULL,
    campaign_id TEXT NOT NULL,
    day INTEGER NOT NULL,
    channel TEXT NOT NULL,
    variation_id TEXT NOT NULL,
    metric TEXT NOT NULL,
    user_key TEXT NOT NULL,
    PRIMARY KEY (ws, campaign_id, day, channel, variation_id, metric, user_key)
  ) WITHOUT ROWID;

  -- What events showed about campaigns (SPEC §7), kept as order-independent extremes:
  -- earliest event (instant, id) and the name of the latest (instant, id) that carries one.
  CREATE TABLE seen_campaigns (
    ws TEXT NOT NULL,
    campaign_id TEXT NOT NULL,
    first_instant_ms INTEGER NOT NULL,
    first_id TEXT NOT NULL,
    name TEXT,
    name_instant_ms INTEGER,
    name_id TEXT,
    PRIMARY KEY (ws, campaign_id)
  ) WITHOUT ROWID;
  CREATE TABLE seen_variations (
    ws TEXT NOT NULL,
    campaign_id TEXT NOT NULL,
    variation_id TEXT NOT NULL,
    first_instant_ms INTEGER NOT NULL,
    first_id TEXT NOT NULL,
    control INTEGER NOT NULL,
    name TEXT,
    name_instant_ms INTEGER,
    name_id TEXT,
    PRIMARY KEY (ws, campaign_id, variation_id)
  ) WITHOUT ROWID;
  CREATE TABLE seen_channels (
    ws TEXT NOT NULL,
    campaign_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    PRIMARY KEY (ws, campaign_id, channel)
  ) WITHOUT ROWID;
  `,
  `
  -- When each campaign was first and last defined (SPEC §7 created_at / last_edited). Campaigns
  -- defined before this table existed are dated by the migration: the best that is known.
  CREATE TABLE campaign_edits (
    ws TEXT NOT NULL,
    campaign_id TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    edited_at_ms INTEGER NOT NULL,
    PRIMARY KEY (ws, campaign_id)
  ) WITHOUT ROWID;
  INSERT INTO campaign_edits
    SELECT ws, campaign_id, now_ms, now_ms FROM campaign_definitions,
      (SELECT CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) AS now_ms);

  -- Send ids created with POST /sends/id/create before any event carries them.
  CREATE TABLE created_sends (
    ws TEXT NOT NULL,
    campaign_id TEXT NOT NULL,
    send_id TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    PRIMARY KEY (ws, campaign_id, send_id)
  ) WITHOUT ROWID;

  -- first_sent / last_sent of /campaigns/details: two index seeks instead of a scan.
  CREATE INDEX events_receipts ON events (ws, campaign_id, instant_ms) WHERE receipt = 1;
  `,
  // Conversions and revenue (SPEC §3, src/store/sqlite/attribution.ts).
  `
  -- Finds one user's receipts, enrolments and engagements of a campaign, and a user's campaigns.
  CREATE INDEX events_user ON events (ws, user_key, campaign_id) WHERE campaign_id IS NOT NULL;
  -- Every behavior (the stored event's Behavior as JSON), by user; currency finds the purchases
  -- a rate change re-prices.
  CREATE TABLE behaviors (
    ws TEXT NOT NULL,
    user_key TEXT NOT NULL,
    id TEXT NOT NULL,
    currency TEXT,
    behavior TEXT NOT NULL,
    PRIMARY KEY (ws, user_key, id)
  ) WITHOUT ROWID;
  CREATE INDEX behaviors_currency ON behaviors (ws, currency, user_key) WHERE currency IS NOT NULL;
  CREATE TABLE imported_conversions (
    ws TEXT NOT NULL,
    campaign_id TEXT NOT NULL,
    user_key TEXT NOT NULL,
    id TEXT NOT NULL,
    conversion TEXT NOT NULL,
    PRIMARY KEY (ws, campaign_id, user_key, id)
  ) WITHOUT ROWID;
  -- The current attribution of each (campaign, user): what its day_counts include. Kept so a
  -- re-attribution applies only the difference, and a zone change can re-add them by day.
  -- Null channel / variation ids are '' as in day_counts.
  CREATE TABLE credits (
    ws TEXT NOT NULL,
    campaign_id TEXT NOT NULL,
    user_key TEXT NOT NULL,
    key TEXT NOT NULL,
    metric TEXT NOT NULL,
    day_ms INTEGER NOT NULL,
    event_ms INTEGER NOT NULL,
    channel TEXT NOT NULL,
    variation_id TEXT NOT NULL,
    send_id TEXT,
    value INTEGER NOT NULL,
    PRIMARY KEY (ws, campaign_id, user_key, key)
  ) WITHOUT ROWID;
  CREATE INDEX credits_send ON credits (ws, campaign_id, send_id) WHERE send_id IS NOT NULL;
  CREATE TABLE currency_rates (
    ws TEXT NOT NULL,
    currency TEXT NOT NULL,
    usd_per_unit REAL NOT NULL,
    PRIMARY KEY (ws, currency)
  ) WITHOUT ROWID;
  `,
  // Cheaper ingest: every index of `events` is rewritten page by page on each batch (its keys
  // are random), so indexes that only a rare query needs are narrowed or replaced.
  `
  -- The receipt extremes of each campaign (first_sent / last_sent), kept at ingest like the
  -- seen_* tables instead of by an index of every receipt.
  CREATE TABLE receipt_spans (
    ws TEXT NOT NULL,
    campaign_id TEXT NOT NULL,
    first_ms INTEGER NOT NULL,
    last_ms INTEGER NOT NULL,
    PRIMARY KEY (ws, campaign_id)
  ) WITHOUT ROWID;
  INSERT INTO receipt_spans
    SELECT ws, campaign_id, min(instant_ms), max(instant_ms) FROM events
    WHERE receipt = 1 AND campaign_id IS NOT NULL GROUP BY ws, campaign_id;
  DROP INDEX events_receipts;
  -- Attribution reads only receipts, enrolments and email engagements (attribution.ts); its
  -- queries repeat this WHERE so SQLite can use the partial index.
  DROP INDEX events_user;
  CREATE INDEX events_user_activity ON events (ws, user_key, campaign_id)
    WHERE campaign_id IS NOT NULL AND (receipt = 1 OR enrols_control = 1
      OR event_type IN ('users.messages.email.Open', 'users.messages.email.Click'));
  `,
  `
  -- day_members with each cell named once: a member row is (cell id, user) instead of seven
  -- columns, so the table a batch rewrites at random is about a fifth of the size.
  CREATE TABLE member_cells (
    id INTEGER PRIMARY KEY,
    ws TEXT NOT NULL,
    campaign_id TEXT NOT NULL,
    day INTEGER NOT NULL,
    channel TEXT NOT NULL,
    variation_id TEXT NOT NULL,
    metric TEXT NOT NULL,
    UNIQUE (ws, campaign_id, day, channel, variation_id, metric)
  );
  CREATE TABLE cell_members (
    cell INTEGER NOT NULL,
    user_key TEXT NOT NULL,
    PRIMARY KEY (cell, user_key)
  ) WITHOUT ROWID;
  INSERT INTO member_cells (ws, campaign_id, day, channel, variation_id, metric)
    SELECT DISTINCT ws, campaign_id, day, channel, variation_id, metric FROM day_members;
  INSERT INTO cell_members
    SELECT c.id, m.user_key FROM day_members m JOIN member_cells c
      USING (ws, campaign_id, day, channel, variation_id, metric);
  DROP TABLE day_members;
  `,
  // Cheaper attribution at ingest (attribution.ts).
  `
  -- Behaviors in columns instead of JSON, with when each happened: a receipt re-attributes its
  -- pair only when one of the user's behaviors lies within the campaign's reach after it.
  CREATE TABLE behavior_columns (
    ws TEXT NOT NULL,
    user_key TEXT NOT NULL,
    id TEXT NOT NULL,
    instant_ms INTEGER NOT NULL,
    kind TEXT NOT NULL,
    product_id TEXT,
    event_name TEXT,
    app_id TEXT,
    price REAL,
    quantity INTEGER,
    currency TEXT,
    PRIMARY KEY (ws, user_key, id)
  ) WITHOUT ROWID;
  INSERT INTO behavior_columns
    SELECT ws, user_key, id, behavior ->> 'instantMs', behavior ->> 'kind',
      behavior ->> 'productId', behavior ->> 'eventName', behavior ->> 'appId',
      behavior ->> 'price', behavior ->> 'quantity', currency
    FROM behaviors;
  DROP TABLE behaviors;
  ALTER TABLE behavior_columns RENAME TO behaviors;
  CREATE INDEX behaviors_currency ON behaviors (ws, currency, user_key) WHERE currency IS NOT NULL;
  -- Credits are no longer kept: the rollups hold attribution's result for every (campaign,
  -- user), so a change recomputes a pair's credits before and after it (attribution.ts).
  DROP TABLE credits;
  `,
  `
  -- SPEC §2 "Push button clicks": each button a variation's push opens named, with the event
  -- that named it first (instant, id), which orders the buttons a definition does not list.
  CREATE TABLE seen_buttons (
    ws TEXT NOT NULL,
    campaign_id TEXT NOT NULL,
    variation_id TEXT NOT NULL,
    title TEXT NOT NULL,
    first_instant_ms INTEGER NOT NULL,
    first_id TEXT NOT NULL,
    PRIMARY KEY (ws, campaign_id, variation_id, title)
  ) WITHOUT ROWID;
  `,
  `
  -- The rules version (domain/rules-version.ts) the derived rows were computed under. Files
  -- older than this table were derived under version 1; rederivation.ts brings them forward.
  CREATE TABLE derivation (rules_version INTEGER NOT NULL);
  INSERT INTO derivation VALUES (1);
  `,
  `
  -- Key lifecycle (SPEC §6): keys are listed with a non-secret prefix and their dates, and
  -- revoked. Keys made before this version have no prefix and no creation date.
  ALTER TABLE api_keys ADD COLUMN prefix TEXT NOT NULL DEFAULT '';
  ALTER TABLE api_keys ADD COLUMN created_at_ms INTEGER;
  ALTER TABLE api_keys ADD COLUMN expires_at_ms INTEGER;
  ALTER TABLE api_keys ADD COLUMN revoked_at_ms INTEGER;
  ALTER TABLE api_keys ADD COLUMN last_used_ms INTEGER;
  `,
  `
  -- Explanations (src/store/explain.ts) read a campaign's events of one day, and attribution's
  -- explanation the users with a receipt or enrolment, or a behavior, in a span: an index range
  -- each.
  CREATE INDEX events_campaign_time ON events (ws, campaign_id, instant_ms)
    WHERE campaign_id IS NOT NULL;
  -- The users who acted in a span: where the credits counted on a behavior's day come from.
  CREATE INDEX behaviors_time ON behaviors (ws, instant_ms, user_key);
  `,
];

/**
 * Every table whose rows are derived from the stored events (the rest hold what users
 * configured: workspaces, keys, definitions and their edits, created sends, currency rates).
 * Re-derivation empties them and counts every event again (rederivation.ts).
 */
export const DERIVED_TABLES = [
  'day_counts',
  'cell_members',
  'member_cells',
  'seen_campaigns',
  'seen_variations',
  'seen_channels',
  'seen_buttons',
  'receipt_spans',
  'behaviors',
  'imported_conversions',
] as const;

/** The database file in a data folder. */
export const databaseFile = (dataDir: string): string => join(dataDir, 'tally.db');

/**
 * Opens (creating when needed) `<dataDir>/tally.db` and brings its schema up to date.
 * `checkpointsElsewhere`: another thread checkpoints the WAL (checkpointer.ts).
 */
export function openDatabase(dataDir: string, checkpointsElsewhere = false): Db {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(databaseFile(dataDir));
  db.pragma('journal_mode = WAL');
  // FULL: the WAL is fsynced at each commit, so a resolved ingest survives kill -9 / power loss.
  db.pragma('synchronous = FULL');
  // The CLI and the server may share the file; wait for the other writer instead of failing.
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  // Rollup and index pages of a busy campaign stay in memory (128 MiB; the default is 2 MiB).
  db.pragma('cache_size = -131072');
  // One 5,000-event batch writes several MiB; checkpointing every ~64 MiB instead of every
  // 4 MiB saves an fsync of the main file on most commits (the WAL is still fsynced on each).
  // With a checkpointer thread, four times that, as a backstop should it fall behind.
  db.pragma(`wal_autocheckpoint = ${checkpointsElsewhere ? 4 * 16_384 : 16_384}`);
  migrate(db);
  return db;
}

function migrate(db: Db): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    throw new Error(
      `tally.db has schema version ${version}; this Tally knows up to ${MIGRATIONS.length}. Upgrade Tally.`,
    );
  }
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}
