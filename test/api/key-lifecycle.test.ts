/**
 * Key lifecycle over HTTP (SPEC §6) on both stores: a revoked key is refused by every API process
 * within 10 seconds, an expired key is refused, and each key's last use is recorded. Two apps on
 * one store stand for two API processes; their clocks are the test's, so "within 10 s" is exact.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildApp } from '../../src/api/app.js';
import { createApiKey } from '../../src/api/keys.js';
import { keyIdOf } from '../../src/domain/api-key.js';
import { hashApiKey } from '../../src/api/keys.js';
import { openClickHouseStore } from '../../src/store/clickhouse/clickhouse-store.js';
import type { Store } from '../../src/store/store.js';
import { startClickHouse, type ClickHouseNode } from '../support/services.js';
import { tempDir } from '../ingest/avro-fixtures.js';
import { bearer } from './harness.js';

const T0 = Date.UTC(2026, 5, 1, 12);
const LIST = '/campaigns/list';

function lifecycle(name: string, openStore: () => Promise<Store>): void {
  describe(`key lifecycle: ${name}`, () => {
    let store: Store;
    let nowMs = T0;
    let processes: Awaited<ReturnType<typeof buildApp>>[];
    before(async () => {
      store = await openStore();
      processes = [
        await buildApp({ store, now: () => nowMs }),
        await buildApp({ store, now: () => nowMs }),
      ];
    });
    after(async () => {
      for (const app of processes) await app.close();
      await store.close();
    });
    const status = async (app: (typeof processes)[number], key: string) =>
      (await app.inject({ url: LIST, headers: bearer(key) })).statusCode;

    it('refuses a revoked key in every process within 10 seconds', async () => {
      nowMs = T0;
      const ws = await store.createWorkspace(`revoke-${name}`, 'UTC');
      const key = await createApiKey(store, ws.id, ['campaigns.list'], { nowMs });
      const other = await createApiKey(store, ws.id, ['campaigns.list'], { nowMs });
      for (const app of processes) assert.equal(await status(app, key), 200);
      const revoked = await store.revokeApiKey(keyIdOf(hashApiKey(key)), nowMs);
      assert.equal(revoked?.revokedAtMs, nowMs);
      nowMs = T0 + 10_000;
      for (const app of processes) {
        const response = await app.inject({ url: LIST, headers: bearer(key) });
        assert.equal(response.statusCode, 401);
        assert.ok(!response.body.includes(key), 'the key was echoed');
        assert.equal(await status(app, other), 200);
      }
    });

    it('refuses an expired key, saying since when, and records each key’s last use', async () => {
      nowMs = T0;
      const ws = await store.createWorkspace(`expiry-${name}`, 'UTC');
      const key = await createApiKey(store, ws.id, ['campaigns.list'], {
        nowMs,
        expiresAtMs: T0 + 3_600_000,
      });
      nowMs = T0 + 60_000;
      assert.equal(await status(processes[0]!, key), 200);
      const [listed] = await store.listApiKeys(ws.id);
      assert.equal(listed?.lastUsedMs, T0 + 60_000);
      assert.match(listed!.prefix, /^tly_.{4}$/);
      assert.ok(key.startsWith(listed!.prefix));
      nowMs = T0 + 3_600_000;
      const expired = await processes[1]!.inject({ url: LIST, headers: bearer(key) });
      assert.equal(expired.statusCode, 401);
      assert.deepEqual(expired.json(), {
        message: 'this API key expired at 2026-06-01T13:00:00.000Z',
      });
    });
  });
}

lifecycle('sqlite', async () => {
  const { openSqliteStore } = await import('../../src/store/sqlite/sqlite-store.js');
  return openSqliteStore({ dataDir: tempDir('tally-keys-') });
});

let clickhouse: ClickHouseNode;
before(async () => {
  clickhouse = await startClickHouse();
});
after(async () => {
  await clickhouse?.stop();
});
lifecycle('clickhouse', () => openClickHouseStore({ url: clickhouse.url, database: 'tally_keys' }));
