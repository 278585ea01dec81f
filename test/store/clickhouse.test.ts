/**
 * The store contract against a real ClickHouse server (Debian's 18.16, started on a free
 * loopback port), with a fresh database per store. Without ClickHouse installed this fails
 * and says how to install it: it never skips.
 */
import { after, before } from 'node:test';
import { openClickHouseStore } from '../../src/store/clickhouse/clickhouse-store.js';
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
