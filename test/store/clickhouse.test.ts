/**
 * The store contract against a real ClickHouse server (Debian's 18.16, started on a free
 * loopback port), with a fresh database per store. Without ClickHouse installed this fails
 * and says how to install it: it never skips.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SeriesCell } from '../../src/domain/series.js';
import { parseDay } from '../../src/domain/time.js';
import { Conversions } from '../../src/store/clickhouse/attribution.js';
import { CampaignModel } from '../../src/store/clickhouse/campaigns.js';
import {
  clickHouseSettings,
  openClickHouseStore,
} from '../../src/store/clickhouse/clickhouse-store.js';
import { ConversionFigures } from '../../src/store/clickhouse/conversion-figures.js';
import { DayFigures } from '../../src/store/clickhouse/day-figures.js';
import { ClickHouseHttp } from '../../src/store/clickhouse/http.js';
import type { DayRange } from '../../src/store/store.js';
import { event } from '../support/events.js';
import { startClickHouse, type ClickHouseNode } from '../support/services.js';
import { clickHouseRollups } from './clickhouse-rollups.js';
import { storeContract } from './contract.js';
import { conversionContract } from './conversion-contract.js';
import { explainContract } from './explain-contract.js';
import { rederivationContract } from './rederivation-contract.js';

let server: ClickHouseNode;
let databases = 0;

before(async () => {
  server = await startClickHouse();
});
after(async () => {
  await server?.stop();
});

storeContract('clickhouse', async () => {
  databases += 1;
  return openClickHouseStore({ url: server.url, database: `tally_contract_${databases}` });
});

conversionContract('clickhouse', async () => {
  databases += 1;
  return openClickHouseStore({ url: server.url, database: `tally_contract_${databases}` });
});

explainContract(
  'clickhouse',
  async () => {
    databases += 1;
    return openClickHouseStore({ url: server.url, database: `tally_contract_${databases}` });
  },
  5,
);

rederivationContract(
  'clickhouse',
  (database, options) => openClickHouseStore({ url: server.url, database, ...options }),
  () => `tally_rules_${(databases += 1)}`,
);

clickHouseRollups('one node', {
  open: (database) => openClickHouseStore({ url: server.url, database }),
  nodes: () => [server.url],
  local: (table) => table,
});

describe('ClickHouseHttp.stream', () => {
  it('yields every row in order, lines split across chunks included', async () => {
    const http = new ClickHouseHttp(server.url, {});
    // Several MB of rows: many chunks, lines cut at their edges.
    const sql = `SELECT number AS n, concat('row-', toString(number)) AS label
      FROM system.numbers LIMIT 300000`;
    let expected = 0;
    for await (const row of http.stream<{ n: string; label: string }>(sql)) {
      assert.equal(Number(row.n), expected);
      assert.equal(row.label, `row-${expected}`);
      expected += 1;
    }
    assert.equal(expected, 300_000);
  });

  it('throws ClickHouse’s error when it arrives after the first rows', async () => {
    const http = new ClickHouseHttp(server.url, {});
    const sql = `SELECT number, throwIf(number = 200000) FROM system.numbers LIMIT 300000`;
    let rows = 0;
    await assert.rejects(
      async () => {
        for await (const row of http.stream(sql)) if (row) rows += 1;
      },
      (error: Error) => /^ClickHouse: .*throwIf/i.test(error.message),
    );
    assert.ok(rows > 0, 'the rows before the error arrived');
  });
});

/** A campaign series' kept days, computed by one of the store's own parts. */
type KeptDays = (
  http: ClickHouseHttp,
) => (workspaceId: string, days: DayRange) => Promise<SeriesCell[]>;

/** Each part, the table it keeps days in, and a metric its cells hold. */
const KEEPERS: [table: string, metric: string, keeper: KeptDays][] = [
  [
    'day_figures',
    'sent',
    (http) => {
      const figures = new DayFigures(http);
      return (workspaceId, days) => figures.campaignSeries(workspaceId, 'c1', 'UTC', days);
    },
  ],
  [
    'conversion_figures',
    'conversions',
    (http) => {
      const figures = new ConversionFigures(http, new Conversions(http, new CampaignModel(http)));
      return (workspaceId, days) => figures.campaignCells(workspaceId, 'c1', 'UTC', days);
    },
  ],
];

describe('kept days asked for by concurrent requests', () => {
  for (const [table, metric, keeper] of KEEPERS) {
    it(`computes the days they find stale once, and keeps them (${table})`, async () => {
      const database = `tally_concurrent_${table}`;
      const store = await openClickHouseStore({ url: server.url, database });
      const { id } = await store.createWorkspace('concurrent', 'UTC');
      const define = (window: number) =>
        store.defineCampaign(id, {
          campaign_id: 'c1',
          conversion_behaviors: [{ type: 'Makes Any Purchase', window }],
        });
      await define(86_400);
      const at = Date.parse('2026-01-05T10:00:00Z');
      const converting = (user: string) => [
        event('email.Send', { id: `s-${user}`, at, user }),
        event('users.behaviors.Purchase', {
          ...{ id: `p-${user}`, at: at + 60_000, user, campaign: null },
          ...{ product_id: 'sku', price: 3, currency: 'USD' },
        }),
      ];
      await store.ingest(id, converting('u1'));
      // Each computation keeps its days with one insert into the table: count those.
      const http = new ClickHouseHttp(server.url, clickHouseSettings(database));
      let passes = 0;
      const insert = http.insert.bind(http);
      http.insert = (into, rows) => {
        if (into === table) passes += 1;
        return insert(into, rows);
      };
      const series = keeper(http);
      const days = { firstDay: parseDay('2026-01-01')!, lastDay: parseDay('2026-01-31')! };
      const once = () => series(id, days);
      const twice = () => Promise.all([once(), once()]);
      /** Whether a cell of the metric holds `value` (1 with one user, 2 with two). */
      const holds = (cells: SeriesCell[], value: number) =>
        cells.some((c) => c.metric === metric && c.value === value);

      const [first, second] = await twice();
      assert.equal(passes, 1);
      assert.deepEqual(second, first);
      assert.ok(holds(first, 1));
      await once();
      assert.equal(passes, 1, 'kept');

      await store.ingest(id, converting('u2'));
      const [third, fourth] = await twice();
      assert.equal(passes, 2);
      assert.deepEqual(fourth, third);
      assert.ok(holds(third, 2));

      // Conversions redefined and defined back: the same days, touches and basis as the last
      // pass, which is over, so they are attributed anew and kept again.
      if (table === 'conversion_figures') {
        await define(2 * 86_400);
        await once();
        await define(86_400);
        assert.deepEqual(await once(), third);
        assert.equal(passes, 4);
        await once();
        assert.equal(passes, 4, 'kept');
      }
      await store.close();
    });
  }
});
