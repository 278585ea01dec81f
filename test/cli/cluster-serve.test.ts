/**
 * The scale-out layout of docs/deploy.md, end to end through the CLI: a 2-shard ClickHouse
 * cluster and Redis, a workspace and key made with `tally workspace/key` against the cluster,
 * and two `tally serve` processes on different ports sharing both. Events ingested through
 * one are answered identically by the other, duplicates sent to the other change nothing,
 * and the data_series rate limit (lowered through TALLY_RATE_LIMITS) is one budget for both.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  startClickHouseCluster,
  startRedis,
  type ClickHouseCluster,
  type RedisService,
} from '../support/services.js';
import { currents } from '../support/events.js';
import {
  getJson,
  LISTENING,
  removeDataDir,
  runCli,
  startCli,
  stopCli,
  sumSeries,
  tempDataDir,
  type RunningCli,
} from './cli-process.js';

const SERIES_LIMIT = 8;
const DAY_MS = 86_400_000;
const REQUEST_TIMEOUT_MS = 10_000;

let cluster: ClickHouseCluster | undefined;
let redis: RedisService | undefined;
const servers: RunningCli[] = [];
let data = '';

/** The same store flags for every command: the cluster through its first node. */
const storeArgs = (): string[] => [
  '--store',
  'clickhouse',
  '--clickhouse-url',
  cluster!.nodes[0]!.url,
  '--clickhouse-database',
  'tally_serve',
  '--clickhouse-cluster',
  cluster!.name,
  '--clickhouse-nodes',
  cluster!.nodes.map((node) => node.url).join(','),
  // Must not be used: a sqlite file appearing here would mean the flags were ignored.
  '--data',
  data,
];

before(async () => {
  data = tempDataDir();
  [cluster, redis] = await Promise.all([startClickHouseCluster(2), startRedis()]);
});

after(async () => {
  await Promise.all(servers.map((server) => stopCli(server.child, 'SIGKILL')));
  await Promise.all([cluster?.stop(), redis?.stop()]);
  removeDataDir(data);
});

async function post(url: string, key: string, lines: readonly Record<string, unknown>[]) {
  const response = await fetch(`${url}/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-ndjson' },
    body: lines.map((line) => JSON.stringify(line)).join('\n'),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('two tally serve processes on a ClickHouse cluster with a shared Redis limiter', () => {
  it('answers identically through either process and shares the rate limit', async () => {
    const workspace = await runCli(['workspace', 'create', 'acme', ...storeArgs()]);
    assert.equal(workspace.code, 0, workspace.stderr);
    const created = await runCli([
      'key',
      'create',
      '--workspace',
      'acme',
      '--permissions',
      'all',
      ...storeArgs(),
    ]);
    assert.equal(created.code, 0, created.stderr);
    const key = created.stdout.trim();

    process.env.TALLY_RATE_LIMITS = JSON.stringify({
      dataSeries: { limit: SERIES_LIMIT, windowMs: DAY_MS },
    });
    for (let i = 0; i < 2; i++) {
      servers.push(
        await startCli(
          ['serve', '--port', '0', '--redis-url', redis!.url, ...storeArgs()],
          LISTENING,
        ),
      );
    }
    const [first, second] = servers.map((server) => server.match[1]!);
    assert.notEqual(first, second);

    // 60 sends and 25 opens from 30 users (spread over both shards), yesterday.
    const at = Date.now() - DAY_MS;
    const events = [
      ...Array.from({ length: 60 }, (_, i) =>
        currents('email.Send', { id: `s${i}`, at: at + i, user: `user-${i % 30}` }),
      ),
      ...Array.from({ length: 25 }, (_, i) =>
        currents('email.Open', { id: `o${i}`, at: at + 100 + i, user: `user-${i}` }),
      ),
    ];
    const ingested = await post(first!, key, events);
    assert.equal(ingested.status, 200, JSON.stringify(ingested.body));
    assert.equal(ingested.body.accepted, events.length);
    // The same events again through the other process: deduplicated across processes.
    const again = await post(second!, key, events.slice(0, 40));
    assert.equal(again.status, 200, JSON.stringify(again.body));

    const path = '/campaigns/data_series?campaign_id=c1&length=7';
    const fromFirst = await getJson(`${first}${path}`, key);
    const fromSecond = await getJson(`${second}${path}`, key);
    assert.equal(fromFirst.status, 200, JSON.stringify(fromFirst.body));
    assert.deepEqual(fromSecond, fromFirst);
    assert.equal(sumSeries(fromFirst.body, 'sent'), 60);
    assert.equal(sumSeries(fromFirst.body, 'unique_opens'), 25);

    // Both processes draw on one budget: SERIES_LIMIT requests in all, 2 of them used above.
    const statuses: { server: number; status: number }[] = [];
    for (let i = 0; i < 2 * SERIES_LIMIT; i++) {
      const server = i % 2;
      const response = await fetch(`${servers[server]!.match[1]}${path}`, {
        headers: { authorization: `Bearer ${key}` },
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      await response.arrayBuffer();
      statuses.push({ server, status: response.status });
    }
    const allowed = statuses.filter((s) => s.status === 200).length;
    assert.equal(allowed, SERIES_LIMIT - 2, JSON.stringify(statuses));
    assert.ok(statuses.slice(SERIES_LIMIT - 2).every((s) => s.status === 429));
    for (const server of [0, 1]) {
      assert.ok(
        statuses.some((s) => s.server === server && s.status === 429),
        `process ${server} refused nothing`,
      );
    }

    // Both stop cleanly on SIGTERM (Redis and ClickHouse connections closed), within bounds.
    for (const server of servers) {
      const code = await Promise.race([
        stopCli(server.child, 'SIGTERM'),
        new Promise<string>((resolve) => setTimeout(resolve, 15_000, 'still running').unref()),
      ]);
      assert.equal(code, 0);
    }
  });
});
