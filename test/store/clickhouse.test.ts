/**
 * The store contract against a real ClickHouse server (Debian's 18.16, started on a free
 * loopback port), with a fresh database per store. Without ClickHouse installed this fails
 * and says how to install it: it never skips.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openClickHouseStore } from '../../src/store/clickhouse/clickhouse-store.js';
import { ClickHouseHttp } from '../../src/store/clickhouse/http.js';
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
