/**
 * The store contract against a real ClickHouse server (Debian's 18.16, started on a free
 * loopback port), with a fresh database per store. Without ClickHouse installed this fails
 * and says how to install it: it never skips.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseDay } from '../../src/domain/time.js';
import { Conversions } from '../../src/store/clickhouse/attribution.js';
import { CampaignModel } from '../../src/store/clickhouse/campaigns.js';
import {
  clickHouseSettings,
  openClickHouseStore,
} from '../../src/store/clickhouse/clickhouse-store.js';
import { ConversionFigures } from '../../src/store/clickhouse/conversion-figures.js';
import { ClickHouseHttp } from '../../src/store/clickhouse/http.js';
import { event } from '../support/events.js';
import { startClickHouse, type ClickHouseNode } from '../support/services.js';
import { clickHouseRollups } from './clickhouse-rollups.js';
import { storeContract } from './contract.js';
import { conversionContract } from './conversion-contract.js';

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

describe('ConversionFigures', () => {
  it('attributes days that concurrent requests find stale once, and keeps them', async () => {
    const database = 'tally_concurrent_conversions';
    const store = await openClickHouseStore({ url: server.url, database });
    const { id } = await store.createWorkspace('concurrent', 'UTC');
    const define = (window: number) =>
      store.defineCampaign(id, {
        campaign_id: 'c1',
        conversion_behaviors: [{ type: 'Makes Any Purchase', window }],
      });
    await define(86_400);
    const at = Date.parse('2026-01-05T10:00:00Z');
    const purchase = (eventId: string, user: string) =>
      event('users.behaviors.Purchase', {
        ...{ id: eventId, at: at + 60_000, user, campaign: null },
        ...{ product_id: 'sku', price: 3, currency: 'USD' },
      });
    await store.ingest(id, [
      event('email.Send', { id: 's1', at, user: 'u1' }),
      purchase('p1', 'u1'),
    ]);
    // The store's own parts, with the passes counted: the real attribution runs in each.
    const http = new ClickHouseHttp(server.url, clickHouseSettings(database));
    const conversions = new Conversions(http, new CampaignModel(http));
    let passes = 0;
    const addCredits = conversions.addCredits.bind(conversions);
    conversions.addCredits = (...args) => {
      passes += 1;
      return addCredits(...args);
    };
    const figures = new ConversionFigures(http, conversions);
    const days = { firstDay: parseDay('2026-01-01')!, lastDay: parseDay('2026-01-31')! };
    const once = () => figures.campaignCells(id, 'c1', 'UTC', days);
    const twice = () => Promise.all([once(), once()]);

    const [first, second] = await twice();
    assert.equal(passes, 1);
    assert.deepEqual(second, first);
    assert.ok(first.some((cell) => cell.metric === 'conversions' && cell.value === 1));
    await once();
    assert.equal(passes, 1, 'kept');

    await store.ingest(id, [
      event('email.Send', { id: 's2', at, user: 'u2' }),
      purchase('p2', 'u2'),
    ]);
    const [third, fourth] = await twice();
    assert.equal(passes, 2);
    assert.deepEqual(fourth, third);
    assert.ok(third.some((cell) => cell.metric === 'conversions' && cell.value === 2));

    // Redefined and defined back: the same days, touches and basis as the last pass, which is
    // over, so they are attributed anew and kept again.
    await define(2 * 86_400);
    await once();
    await define(86_400);
    assert.deepEqual(await once(), third);
    assert.equal(passes, 4);
    await once();
    assert.equal(passes, 4, 'kept');
    await store.close();
  });
});
