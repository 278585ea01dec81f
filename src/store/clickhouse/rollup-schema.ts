/**
 * Schema version 3: what a campaign series and the campaign model read instead of scanning
 * `events` (docs/clickhouse.md, "Rollups and computed days").
 *
 * Three rollups are filled by materialized views as part of every INSERT into `events`, so an
 * event and its rollup rows are one statement: no crash can store one without the other.
 * Each rollup is idempotent — a set, a distinct count or an extreme — so a copy of an event
 * (two processes racing on one id, a retried batch, the backfill below running twice or
 * overlapping the views) changes nothing, before or after any merge:
 * - `slot_cells`: per UTC 15-minute slot and series cell, the set of what it counts (event ids
 *   for additive metrics, user keys for unique_recipients and enrolled);
 * - `chain_events`: the events of unique chains, ordered by chain for ranking;
 * - `campaign_seen`: what events show of a campaign and its variations (names, channels,
 *   first seen, receipt span).
 * Two more tables serve the per-day answers (day-figures.ts): `campaign_touches` counts, per
 * campaign and UTC day, the events ingests stored or were sent again there, and `day_figures`
 * keeps computed days.
 * A last view writes `event_ids` from the same INSERT, which ingest.ts used to send apart.
 */
import { PUSH_BUTTON_METRIC } from '../../domain/catalog.js';
import { createTable, localName, type Layout, type TableSpec } from './tables.js';

/** A 15-minute UTC slot: every zone offset in use is a multiple of it (zone-offsets.ts). */
export const SLOT_MS = 900_000;

const BY_CAMPAIGN = 'cityHash64(workspace_id, campaign_id)';

interface View {
  readonly table: TableSpec;
  /** The SELECT that turns `events` rows into rollup rows (view body and backfill alike). */
  readonly select: (events: string) => string;
}

/**
 * Target columns are named apart from the `events` columns they derive from: an alias equal
 * to a source column would shadow it inside the same SELECT on ClickHouse 18.16.
 */
const SLOT_CELLS: View = {
  table: {
    name: 'slot_cells',
    columns: `
      workspace_id String,
      campaign_id String,
      slot Int64,
      -- '' and '': the day level; '' and a variation: the control group (domain/series.ts).
      cell_channel String,
      cell_variation String,
      metric String,
      counted AggregateFunction(uniqExact, String)`,
    engine:
      'AggregatingMergeTree() ORDER BY (workspace_id, campaign_id, slot, cell_channel, cell_variation, metric)',
    shardBy: BY_CAMPAIGN,
  },
  // One row per (event, cell it counts in): each catalog metric counts the event's id; a
  // receipt counts its user in its entry ('#entry') and at day level ('#day'); an enrolment
  // counts its user in the control entry ('#enrolled'). (No lambdas: 18.16 rejects a lambda
  // that mixes its argument with a column.)
  select: (events) => `
SELECT workspace_id, campaign_id, intDiv(instant_ms, ${SLOT_MS}) AS slot,
  if(cell IN ('#day', '#enrolled'), '', channel) AS cell_channel,
  if(cell = '#day', '', variation_id) AS cell_variation,
  multiIf(cell = '#enrolled', 'enrolled', cell IN ('#entry', '#day'), 'unique_recipients', cell)
    AS metric,
  uniqExactState(if(startsWith(cell, '#'), user_key, id)) AS counted
FROM ${events}
ARRAY JOIN arrayConcat(metrics,
  if(receipt = 1, ['#entry', '#day'], emptyArrayString()),
  if(enrols_control = 1, ['#enrolled'], emptyArrayString())) AS cell
WHERE campaign_id != ''
GROUP BY workspace_id, campaign_id, slot, cell_channel, cell_variation, metric`,
};

const CHAIN_EVENTS: View = {
  table: {
    name: 'chain_events',
    columns: `
      workspace_id String,
      campaign_id String,
      variation_id String,
      user_key String,
      unique_chain String,
      unique_metric String,
      channel String,
      unique_window_ms UInt64,
      instant_ms Int64,
      id String`,
    engine: `ReplacingMergeTree()
      ORDER BY (workspace_id, campaign_id, variation_id, user_key, unique_chain, instant_ms, id)`,
    // Like `events`: a user's chains stay on the user's shard.
    shardBy: 'cityHash64(user_key)',
  },
  select: (events) => `
SELECT workspace_id, campaign_id, variation_id, user_key, unique_chain, unique_metric, channel,
  unique_window_ms, instant_ms, id
FROM ${events}
WHERE campaign_id != '' AND unique_metric != ''`,
};

/** Extremes over (instant, id), as the campaign model defines first seen and latest names. */
const CAMPAIGN_SEEN: View = {
  table: {
    name: 'campaign_seen',
    columns: `
      workspace_id String,
      campaign_id String,
      variation_id String,
      seen_first AggregateFunction(min, Tuple(Int64, String)),
      seen_control AggregateFunction(max, UInt8),
      seen_variation_name AggregateFunction(argMaxIf, String, Tuple(Int64, String), UInt8),
      seen_campaign_name AggregateFunction(argMaxIf, String, Tuple(Int64, String), UInt8),
      seen_channels AggregateFunction(groupUniqArrayIf, String, UInt8),
      seen_receipt AggregateFunction(max, UInt8),
      first_receipt AggregateFunction(minIf, Int64, UInt8),
      last_receipt AggregateFunction(maxIf, Int64, UInt8)`,
    engine: 'AggregatingMergeTree() ORDER BY (workspace_id, campaign_id, variation_id)',
    shardBy: BY_CAMPAIGN,
  },
  select: (events) => `
SELECT workspace_id, campaign_id, variation_id,
  minState((instant_ms, id)) AS seen_first,
  maxState(enrols_control) AS seen_control,
  argMaxIfState(variation_name, (instant_ms, id), variation_name != '') AS seen_variation_name,
  argMaxIfState(campaign_name, (instant_ms, id), campaign_name != '') AS seen_campaign_name,
  groupUniqArrayIfState(channel, channel != '') AS seen_channels,
  maxState(receipt) AS seen_receipt,
  minIfState(instant_ms, receipt = 1) AS first_receipt,
  maxIfState(instant_ms, receipt = 1) AS last_receipt
FROM ${events}
WHERE campaign_id != ''
GROUP BY workspace_id, campaign_id, variation_id`,
};

const VIEWS: readonly View[] = [SLOT_CELLS, CHAIN_EVENTS, CAMPAIGN_SEEN];

/**
 * Per campaign and UTC day, how many events ingests stored or re-delivered there, written by
 * each ingest after everything else (touches.ts). Only its growth matters, so a repeated
 * backfill or a retried batch adding more is harmless.
 */
const CAMPAIGN_TOUCHES: TableSpec = {
  name: 'campaign_touches',
  columns: 'workspace_id String, campaign_id String, day Int64, n UInt64',
  engine: 'SummingMergeTree() ORDER BY (workspace_id, campaign_id, day)',
  shardBy: BY_CAMPAIGN,
};

/**
 * Computed local days (day-figures.ts): the cells of one campaign over one set of UTC slots
 * (`span`), valid while the campaign's touches up to the span's end still number `touches`.
 * A newer computation replaces an older one in merges; reads ask for the current count.
 */
const DAY_FIGURES: TableSpec = {
  name: 'day_figures',
  columns: `
    workspace_id String,
    campaign_id String,
    span String,
    touches UInt64,
    cell_channel Array(String),
    cell_variation Array(String),
    metric Array(String),
    n Array(UInt64)`,
  engine: 'ReplacingMergeTree(touches) ORDER BY (workspace_id, campaign_id, span)',
  shardBy: BY_CAMPAIGN,
};

/**
 * Views first, then the backfill from the events already stored: an event inserted in
 * between reaches a rollup twice, which the idempotent rollups ignore. Every statement may
 * run again (another process migrating at once, a crash halfway). `event_ids` needs no
 * backfill; in a cluster its new rows live on the shard of their event's user rather than of
 * their id, which reads through the Distributed table do not notice.
 */
export function rollupMigration(layout: Layout): string[] {
  const events = localName('events', layout);
  return [
    `CREATE MATERIALIZED VIEW IF NOT EXISTS event_ids_view TO ${localName('event_ids', layout)}
     AS SELECT workspace_id, id, hash, inserted_ms FROM ${events}`,
    ...[...VIEWS.map((view) => view.table), CAMPAIGN_TOUCHES, DAY_FIGURES].flatMap((table) =>
      createTable(table, layout),
    ),
    ...VIEWS.map(
      ({ table, select }) =>
        `CREATE MATERIALIZED VIEW IF NOT EXISTS ${table.name}_view
         TO ${localName(table.name, layout)} AS ${select(events)}`,
    ),
    ...VIEWS.map(
      ({ table, select }) => `INSERT INTO ${localName(table.name, layout)} ${select(events)}`,
    ),
    `INSERT INTO ${localName(CAMPAIGN_TOUCHES.name, layout)}
     SELECT workspace_id, campaign_id, intDiv(instant_ms, 86400000) AS day, count() AS n
     FROM ${events} WHERE campaign_id != '' GROUP BY workspace_id, campaign_id, day`,
  ];
}

/**
 * Schema version 6 (SPEC §2 "Push button clicks"): each push button a variation's opens named,
 * with the earliest (instant, id) that named it, which orders the buttons a definition does not
 * list. A view fills it from every INSERT into `events`; the backfill covers what is stored.
 * An extreme, so copies change nothing. `title` keeps the whole metric (`push_button:<T>`);
 * the reader strips the prefix.
 */
const BUTTON_SEEN: View = {
  table: {
    name: 'button_seen',
    columns: `
      workspace_id String,
      campaign_id String,
      variation_id String,
      title String,
      first_seen AggregateFunction(min, Tuple(Int64, String))`,
    engine: 'AggregatingMergeTree() ORDER BY (workspace_id, campaign_id, variation_id, title)',
    shardBy: BY_CAMPAIGN,
  },
  select: (events) => `
SELECT workspace_id, campaign_id, variation_id, button AS title,
  minState((instant_ms, id)) AS first_seen
FROM ${events} ARRAY JOIN metrics AS button
WHERE campaign_id != '' AND startsWith(button, '${PUSH_BUTTON_METRIC}')
GROUP BY workspace_id, campaign_id, variation_id, title`,
};

export function buttonSeenMigration(layout: Layout): string[] {
  const events = localName('events', layout);
  const { table, select } = BUTTON_SEEN;
  return [
    ...createTable(table, layout),
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${table.name}_view
     TO ${localName(table.name, layout)} AS ${select(events)}`,
    `INSERT INTO ${localName(table.name, layout)} ${select(events)}`,
  ];
}
