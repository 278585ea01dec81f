/**
 * What only the ClickHouse store has to get right (docs/clickhouse.md, "Rollups"), run on one
 * node (clickhouse.test.ts) and on a 2-shard cluster (cluster.test.ts) against real servers:
 * - a database from before the rollups (schema version 2) is backfilled when opened, and
 *   answers as if its events had been ingested with them, however many processes migrate;
 * - an event that two processes store at once counts once, before and after merges;
 * - a day kept by one process is recomputed once another process ingests an event it
 *   depends on.
 * Each test compares against the same events ingested once, in one batch, into a fresh
 * workspace: the store contract (contract.ts) already checks those answers by hand.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NormalizedEvent } from '../../src/domain/event.js';
import type { SeriesCell } from '../../src/domain/series.js';
import { parseDay } from '../../src/domain/time.js';
import { ClickHouseHttp } from '../../src/store/clickhouse/http.js';
import type { Store } from '../../src/store/store.js';
import { event } from '../support/events.js';

export interface ClickHouseSetup {
  /** A store on `database`, entering through node `entry` (a separate "process" per call). */
  open(database: string, entry: number): Promise<Store>;
  /** The HTTP endpoint of every node, where each node's own tables live. */
  readonly nodes: () => readonly string[];
  /** The name of a table's own rows on a node (`x` on one node, `x_local` in a cluster). */
  readonly local: (table: string) => string;
}

const DAY_MS = 86_400_000;
const T = Date.parse('2026-01-05T00:00:00Z');
const RANGE = { firstDay: parseDay('2026-01-01')!, lastDay: parseDay('2026-02-28')! };

/** What schema version 3 created, views first (they write to the tables). */
const VERSION_3_VIEWS = [
  'slot_cells_view',
  'chain_events_view',
  'campaign_seen_view',
  'event_ids_view',
];
const VERSION_3_TABLES = [
  'slot_cells',
  'chain_events',
  'campaign_seen',
  'campaign_touches',
  'day_figures',
];
const ROLLUPS = ['slot_cells', 'chain_events', 'campaign_seen', 'event_ids', 'events'];

/**
 * Six users over four weeks: sends on two channels, opens and clicks whose chains have gaps
 * both shorter and longer than the 7-day window, content cards, control enrolments, a send id.
 * `tag` keeps the ids of separate rounds apart.
 */
function events(tag: string, shiftDays = 0): NormalizedEvent[] {
  const out: NormalizedEvent[] = [];
  for (let u = 1; u <= 6; u++) {
    const user = `u${u}`;
    // Every 1, 3, 5, 7, 9 or 11 days: chains of segments shorter and longer than a window.
    for (let d = 0; d < 28; d += 2 * u - 1) {
      const at = T + (d + shiftDays) * DAY_MS + u * 3_600_000;
      const id = (kind: string) => `${tag}-${kind}-${user}-${d}`;
      const send = d % 2 === 0 ? { send_id: 's1' } : {};
      out.push(
        event('email.Send', { id: id('send'), at, user, variation: u % 2 ? 'v1' : 'v2', ...send }),
        event('email.Open', { id: id('open'), at: at + 60_000, user, ...send }),
        event('pushnotification.Send', { id: id('push'), at, user, platform: 'ios' }),
        event('contentcard.Impression', { id: id('card'), at, user, content_card_id: `k${d % 3}` }),
      );
      if (d % 4 === 0) out.push(event('email.Click', { id: id('click'), at: at + 120_000, user }));
      if (u === 6) {
        out.push(
          event('users.campaigns.EnrollInControl', { id: id('cg'), at, user, variation: 'cg' }),
        );
      }
    }
  }
  return out;
}

/** Everything a series or listing request reads of campaign c1, in a comparable form. */
async function answers(store: Store, workspaceId: string) {
  const sorted = (cells: SeriesCell[]) =>
    cells.map((c) => `${c.day} ${c.channel} ${c.variationId} ${c.metric} ${c.value}`).sort();
  return {
    series: sorted(await store.campaignSeries(workspaceId, 'c1', RANGE)),
    send: sorted(await store.sendSeries(workspaceId, 'c1', 's1', RANGE)),
    campaign: await store.getCampaign(workspaceId, 'c1'),
    listing: await store.listCampaigns(workspaceId),
    receipts: await store.receiptSpan(workspaceId, 'c1'),
  };
}

/** The answers for `events` ingested once, in one batch, into a fresh workspace. */
async function expected(store: Store, all: readonly NormalizedEvent[], zone = 'UTC') {
  const workspace = await store.createWorkspace(`expected-${Math.random()}`, zone);
  await store.ingest(workspace.id, all);
  return answers(store, workspace.id);
}

export function clickHouseRollups(name: string, setup: ClickHouseSetup): void {
  const onEveryNode = async (database: string, statements: (node: ClickHouseHttp) => string[]) => {
    for (const url of setup.nodes()) {
      const node = new ClickHouseHttp(url, { database });
      for (const statement of statements(node)) await node.exec(statement);
    }
  };
  /** Drops what schema version 3 added and records version 2 again, on every node. */
  const rewindToVersion2 = (database: string) =>
    onEveryNode(database, () => [
      ...VERSION_3_VIEWS.map((view) => `DROP TABLE IF EXISTS ${view}`),
      ...VERSION_3_TABLES.flatMap((table) => [
        `DROP TABLE IF EXISTS ${table}`,
        `DROP TABLE IF EXISTS ${setup.local(table)}`,
      ]),
      'DROP TABLE schema_migrations',
      'CREATE TABLE schema_migrations (version UInt32, applied_ms Int64) ENGINE = MergeTree() ORDER BY version',
      'INSERT INTO schema_migrations VALUES (1, 0), (2, 0)',
    ]);

  describe(`ClickHouse rollups: ${name}`, () => {
    it('backfills a database from before the rollups, however many processes migrate at once', async () => {
      const database = 'tally_backfill';
      const first = await setup.open(database, 0);
      const workspace = await first.createWorkspace('backfill', 'Asia/Kathmandu');
      await first.ingest(workspace.id, events('a'));
      await first.ingest(workspace.id, events('b', 3));
      const before = await answers(first, workspace.id);
      await first.close();

      await rewindToVersion2(database);
      // Three processes open it at once: each runs the migration, backfill included.
      const count = setup.nodes().length;
      const migrated = await Promise.all([0, 1, 2].map((i) => setup.open(database, i % count)));
      for (const store of migrated) assert.deepEqual(await answers(store, workspace.id), before);
      const all = [...events('a'), ...events('b', 3)];
      assert.deepEqual(before, await expected(migrated[0]!, all, 'Asia/Kathmandu'));
      await Promise.all(migrated.map((store) => store.close()));
    });

    it('counts an event once when two processes store it at once, before and after merges', async () => {
      const database = 'tally_races';
      const a = await setup.open(database, 0);
      const b = await setup.open(database, setup.nodes().length - 1);
      const workspace = await a.createWorkspace('races', 'America/New_York');
      const all: NormalizedEvent[] = [];
      for (let round = 0; round < 4; round++) {
        const batch = events(`r${round}`, round);
        all.push(...batch);
        await Promise.all([a.ingest(workspace.id, batch), b.ingest(workspace.id, batch)]);
      }
      const sql = new ClickHouseHttp(setup.nodes()[0]!, {
        database,
        output_format_json_quote_64bit_integers: '0',
      });
      const [copies] = await sql.query<{ rows: number; ids: number }>(
        'SELECT count() AS rows, uniqExact(id) AS ids FROM events',
      );
      assert.ok(copies!.rows > copies!.ids, `no race happened: ${JSON.stringify(copies)}`);
      const reference = await expected(a, all, 'America/New_York');
      assert.deepEqual(await answers(b!, workspace.id), reference);

      // Merged parts, and days computed anew from them, answer the same.
      await onEveryNode(database, () => [
        ...ROLLUPS.map((table) => `OPTIMIZE TABLE ${setup.local(table)} FINAL`),
        `TRUNCATE TABLE ${setup.local('day_figures')}`,
      ]);
      assert.deepEqual(await answers(a, workspace.id), reference);
      await Promise.all([a.close(), b.close()]);
    });

    it('recomputes a day one process keeps once another ingests an event it depends on', async () => {
      const database = 'tally_kept';
      const reader = await setup.open(database, 0);
      const writer = await setup.open(database, setup.nodes().length - 1);
      const workspace = await reader.createWorkspace('kept', 'UTC');
      const initial = events('k');
      await writer.ingest(workspace.id, initial);
      await answers(reader!, workspace.id); // computes and keeps every day
      // Late events: an open before every other one re-ranks u1's chain on later days, a
      // send lands on a kept day.
      const late = [
        event('email.Open', { id: 'late-open', at: T - 2 * DAY_MS, user: 'u1' }),
        event('email.Send', { id: 'late-send', at: T + 9 * DAY_MS, user: 'u9' }),
      ];
      await writer.ingest(workspace.id, late);
      assert.deepEqual(
        await answers(reader!, workspace.id),
        await expected(writer, [...initial, ...late]),
      );
      await Promise.all([reader.close(), writer.close()]);
    });
  });
}
