/**
 * The store contract against a 2-shard ClickHouse cluster: two servers on loopback ports,
 * local tables on each, `Distributed` tables sharded by a hash of the user key. Queries go
 * through the first node; the last test checks that both shards really hold data and that
 * the second node answers the same.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openClickHouseStore } from '../../src/store/clickhouse/clickhouse-store.js';
import { ClickHouseHttp } from '../../src/store/clickhouse/http.js';
import { parseDay } from '../../src/domain/time.js';
import type { Store } from '../../src/store/store.js';
import { startClickHouseCluster, type ClickHouseCluster } from '../support/services.js';
import { event } from '../support/events.js';
import { clickHouseRollups } from './clickhouse-rollups.js';
import { storeContract } from './contract.js';
import { conversionContract } from './conversion-contract.js';
import { explainContract } from './explain-contract.js';
import { rederivationContract } from './rederivation-contract.js';

let cluster: ClickHouseCluster;
let databases = 0;

before(async () => {
  cluster = await startClickHouseCluster(2);
});
after(async () => {
  await cluster?.stop();
});

const openOn = (
  entry: number,
  database: string,
  options: Omit<Parameters<typeof openClickHouseStore>[0], 'url' | 'database' | 'cluster'> = {},
) =>
  openClickHouseStore({
    url: cluster.nodes[entry]!.url,
    database,
    cluster: { name: cluster.name, nodes: cluster.nodes.map((n) => n.url) },
    ...options,
  });

storeContract('clickhouse cluster (2 shards)', async () => {
  databases += 1;
  return openOn(0, `tally_cluster_${databases}`);
});

conversionContract('clickhouse cluster (2 shards)', async () => {
  databases += 1;
  return openOn(0, `tally_cluster_${databases}`);
});

explainContract(
  'clickhouse cluster (2 shards)',
  async () => {
    databases += 1;
    return openOn(0, `tally_cluster_${databases}`);
  },
  5,
);

rederivationContract(
  'clickhouse cluster (2 shards)',
  (database, options) => openOn(1, database, options),
  () => `tally_cluster_rules_${(databases += 1)}`,
);

clickHouseRollups('cluster (2 shards)', {
  open: (database, entry) => openOn(entry, database),
  nodes: () => cluster.nodes.map((node) => node.url),
  local: (table) => `${table}_local`,
});

describe('clickhouse cluster: sharding', () => {
  it('spreads users over both shards and answers the same through either node', async () => {
    const first = await openOn(0, 'tally_sharding');
    const second = await openOn(1, 'tally_sharding');
    const ws = await first.createWorkspace('sharding', 'UTC');
    const users = Array.from({ length: 40 }, (_, i) => `user-${i}`);
    await first.ingest(
      ws.id,
      users.map((user, i) =>
        event('email.Send', { id: `s${i}`, at: '2026-01-05T10:00:00Z', user }),
      ),
    );
    const perShard = await Promise.all(
      cluster.nodes.map(async (node) => {
        const local = new ClickHouseHttp(node.url, {
          database: 'tally_sharding',
          output_format_json_quote_64bit_integers: '0',
        });
        const [row] = await local.query<{ n: number }>('SELECT count() AS n FROM events_local');
        return row!.n;
      }),
    );
    assert.equal(perShard[0]! + perShard[1]!, users.length);
    assert.ok(
      perShard.every((n) => n > 0),
      `rows per shard: ${perShard.join(', ')}`,
    );
    const day = parseDay('2026-01-05')!;
    const range = { firstDay: day, lastDay: day };
    const cells = async (store: Store) =>
      (await store.campaignSeries(ws.id, 'c1', range)).map((c) => JSON.stringify(c)).sort();
    const viaFirst = await first.campaignSeries(ws.id, 'c1', range);
    assert.deepEqual(await cells(second), await cells(first));
    assert.equal(
      viaFirst.find((c) => c.channel === null && c.metric === 'unique_recipients')?.value,
      users.length,
    );
    await Promise.all([first.close(), second.close()]);
  });
});
