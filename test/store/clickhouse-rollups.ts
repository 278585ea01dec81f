/**
 * What only the ClickHouse store has to get right (docs/clickhouse.md, "Rollups"), run on one
 * node (clickhouse.test.ts) and on a 2-shard cluster (cluster.test.ts) against real servers:
 * - a database from before the rollups (schema version 2) is backfilled when opened, and
 *   answers as if its events had been ingested with them, however many processes migrate;
 * - an event that two processes store at once counts once, before and after merges;
 * - a day kept by one process is recomputed once another process ingests an event it
 *   depends on;
 * - so are kept conversions (conversion-figures.ts): after a receipt, a behavior, an imported
 *   conversion long after its receipt, or a new rate.
 * Each test compares against the same events ingested once, in one batch, into a fresh
 * workspace: the store contract (contract.ts) already checks those answers by hand.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NormalizedEvent } from '../../src/domain/event.js';
import type { SeriesCell } from '../../src/domain/series.js';
import { parseDay } from '../../src/domain/time.js';
import { ClickHouseHttp } from '../../src/store/clickhouse/http.js';
import { checkIds, storeChecked } from '../../src/store/clickhouse/ingest.js';
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

const sortedCells = (cells: SeriesCell[]) =>
  cells.map((c) => `${c.day} ${c.channel} ${c.variationId} ${c.metric} ${c.value}`).sort();

/**
 * Receipts of c1 (with behaviors) and c2 (without: it counts imported conversions, and has
 * one) for four users over three weeks, with purchases and custom events within c1's windows.
 */
function conversionEvents(): NormalizedEvent[] {
  const out: NormalizedEvent[] = [];
  for (let u = 1; u <= 4; u++) {
    const user = `u${u}`;
    for (let d = 0; d < 21; d += u + 1) {
      const at = T + d * DAY_MS + u * 3_600_000;
      const id = (kind: string) => `conv-${kind}-${user}-${d}`;
      out.push(
        event('email.Send', { id: id('c1'), at, user }),
        event('email.Send', { id: id('c2'), at, user, campaign: 'c2' }),
        event('users.behaviors.Purchase', {
          ...{ id: id('buy'), at: at + (u % 2 ? 1 : 30) * 3_600_000, user, campaign: null },
          ...{ product_id: 'sku', price: 5 * u, currency: u % 2 ? 'USD' : 'EUR' },
        }),
      );
      if (d % 2 === 0) {
        out.push(
          event('users.behaviors.CustomEvent', {
            ...{ id: id('signup'), at: at + 2 * DAY_MS, user, campaign: null, name: 'signup' },
          }),
        );
      }
    }
  }
  out.push(
    // No receipt reaches it until a late one (the kept-conversions test).
    event('users.behaviors.Purchase', {
      ...{ id: 'conv-buy-u9', at: T + 12 * DAY_MS, user: 'u9', campaign: null },
      ...{ product_id: 'sku', price: 3, currency: 'USD' },
    }),
    event('users.campaigns.Conversion', {
      ...{ id: 'conv-import', at: T + DAY_MS, user: 'u4', campaign: 'c2' },
      conversion_behavior_index: 0,
    }),
  );
  return out;
}

/** Everything a series or listing request reads of campaign c1, in a comparable form. */
async function answers(store: Store, workspaceId: string) {
  return {
    series: sortedCells(await store.campaignSeries(workspaceId, 'c1', RANGE)),
    send: sortedCells(await store.sendSeries(workspaceId, 'c1', 's1', RANGE)),
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
      // Each process's own connection, as the stores have them (a cluster: different nodes).
      const [nodeA, nodeB] = [0, setup.nodes().length - 1].map(
        (n) => new ClickHouseHttp(setup.nodes()[n]!, { database }),
      );
      const all: NormalizedEvent[] = [];
      for (let round = 0; round < 4; round++) {
        const batch = events(`r${round}`, round);
        all.push(...batch);
        // The race, forced: both pass the duplicate check before either stores anything.
        const checked = [
          await checkIds(nodeA!, workspace.id, batch),
          await checkIds(nodeB!, workspace.id, batch),
        ];
        // Both will store every event: two copies of each, whatever merges fold later.
        assert.deepEqual(
          checked.map((c) => c.fresh.length),
          [batch.length, batch.length],
        );
        await Promise.all([storeChecked(nodeA!, checked[0]!), storeChecked(nodeB!, checked[1]!)]);
      }
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

    it('recomputes kept conversions once another process ingests a fact they depend on, or a rate changes', async () => {
      const database = 'tally_kept_conversions';
      const reader = await setup.open(database, 0);
      const writer = await setup.open(database, setup.nodes().length - 1);
      const campaigns = ['c1', 'c2'];
      /** A workspace where c1 converts on a purchase (3 days) or a signup (7 days). */
      const prepare = async (name: string, all: readonly NormalizedEvent[]) => {
        const { id } = await writer.createWorkspace(`${name}-${Math.random()}`, 'Asia/Kolkata');
        await writer.defineCampaign(id, {
          campaign_id: 'c1',
          conversion_behaviors: [
            { type: 'Makes Any Purchase', window: 3 * 86_400 },
            { type: 'Performs Custom Event', custom_event_name: 'signup', window: 7 * 86_400 },
          ],
        });
        await writer.setCurrencyRate(id, 'EUR', 1.1);
        await writer.ingest(id, all);
        return id;
      };
      const series = async (store: Store, workspaceId: string) =>
        Promise.all(
          campaigns.map(async (c) =>
            sortedCells(await store.campaignSeries(workspaceId, c, RANGE)),
          ),
        );
      const all = conversionEvents();
      const workspaceId = await prepare('kept', all);
      await series(reader, workspaceId); // attributes and keeps every day
      /** Ingests late facts and checks that the kept days moved as a fresh workspace's. */
      const ingestLate = async (late: NormalizedEvent[]) => {
        const before = await series(reader, workspaceId);
        await writer.ingest(workspaceId, late);
        all.push(...late);
        const after = await series(reader, workspaceId);
        assert.notDeepEqual(after, before);
        assert.deepEqual(after, await series(writer, await prepare('fresh', all)));
      };
      // Each round touches one day, and moves credits of kept days around it:
      // a receipt of u9 on day 10 converts u9's purchase of day 12 (a later day);
      await ingestLate([event('email.Send', { id: 'late-send', at: T + 10 * DAY_MS, user: 'u9' })]);
      // a signup on day 9 converts u4's receipt of day 5 by send time (an earlier day);
      await ingestLate([
        event('users.behaviors.CustomEvent', {
          ...{ id: 'late-signup', at: T + 9 * DAY_MS, user: 'u4', campaign: null },
          name: 'signup',
        }),
      ]);
      // c2's imported conversion on day 40 counts by send time on the day of u3's last
      // receipt, day 20: further back than any window.
      await ingestLate([
        event('users.campaigns.Conversion', {
          ...{ id: 'late-import', at: T + 40 * DAY_MS, user: 'u3', campaign: 'c2' },
          conversion_behavior_index: 0,
        }),
      ]);
      // A new rate re-prices the purchases of kept days.
      const before = await series(reader, workspaceId);
      await writer.setCurrencyRate(workspaceId, 'EUR', 2);
      const repriced = await series(reader, workspaceId);
      assert.notDeepEqual(repriced, before);
      const expectedWorkspace = await prepare('repriced', all);
      await writer.setCurrencyRate(expectedWorkspace, 'EUR', 2);
      assert.deepEqual(repriced, await series(writer, expectedWorkspace));
      await Promise.all([reader.close(), writer.close()]);
    });
  });
}
