/** The store contract on the embedded SQLite store, plus what only a file-backed store must do. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { SeriesCell } from '../../src/domain/series.js';
import type { Store } from '../../src/store/store.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { event } from '../support/events.js';
import { storeContract } from './contract.js';
import { conversionContract } from './conversion-contract.js';
import { explainContract } from './explain-contract.js';
import { rederivationContract } from './rederivation-contract.js';

const freshDir = (): string => mkdtempSync(join(tmpdir(), 'tally-sqlite-'));

storeContract('sqlite', () => openSqliteStore({ dataDir: freshDir() }));
conversionContract('sqlite', () => openSqliteStore({ dataDir: freshDir() }));
explainContract('sqlite', () => openSqliteStore({ dataDir: freshDir() }), 25);
rederivationContract(
  'sqlite',
  (dataDir, options) => openSqliteStore({ dataDir, ...options }),
  freshDir,
);

describe('sqlite store', () => {
  it('creates the data folder and keeps everything across close and reopen', async () => {
    const dataDir = join(freshDir(), 'nested', 'data');
    const first = await openSqliteStore({ dataDir });
    const ws = await first.createWorkspace('acme', 'UTC');
    await first.saveApiKey(ws.id, 'h1', ['campaigns.data_series']);
    await first.ingest(ws.id, [
      event('email.Open', { id: 'o1', at: '2026-01-05T10:00:00Z' }),
      event('email.Send', { id: 's1', at: '2026-01-05T09:00:00Z', send_id: 's' }),
    ]);
    await first.close();
    assert.ok(existsSync(join(dataDir, 'tally.db')));

    const second = await openSqliteStore({ dataDir });
    assert.deepEqual(await second.findWorkspaceByName('acme'), ws);
    assert.equal((await second.findApiKey('h1'))?.workspaceId, ws.id);
    // The chain state survived: a re-delivery is a duplicate, a later open 1 day on is not unique.
    const outcome = await second.ingest(ws.id, [
      event('email.Open', { id: 'o1', at: '2026-01-05T10:00:00Z' }),
      event('email.Open', { id: 'o2', at: '2026-01-06T10:00:00Z' }),
    ]);
    assert.deepEqual(outcome, {
      accepted: 1,
      duplicates: 1,
      duplicatePositions: [0],
      ignored: 0,
      conflicts: [],
    });
    const cells = await second.campaignSeries(ws.id, 'c1', {
      firstDay: 20_458,
      lastDay: 20_459,
    });
    assert.deepEqual(cells.map((c) => `${c.day} ${c.channel} ${c.metric} ${c.value}`).sort(), [
      '20458 email opens 1',
      '20458 email sent 1',
      '20458 email unique_opens 1',
      '20458 email unique_recipients 1',
      '20458 null unique_recipients 1',
      '20459 email opens 1',
    ]);
    assert.equal(
      (await second.getSend(ws.id, 'c1', 's'))?.firstReceiptMs,
      Date.parse('2026-01-05T09:00:00Z'),
    );
    await second.close();
  });

  it('keeps a resolved ingest when the process is killed with SIGKILL right after', async () => {
    const dataDir = freshDir();
    const storeModule = new URL('../../src/store/sqlite/sqlite-store.js', import.meta.url).href;
    const eventsModule = new URL('../support/events.js', import.meta.url).href;
    // The child ingests, says so, then idles until killed: no close(), no exit handlers.
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { openSqliteStore } = await import(${JSON.stringify(storeModule)});
         const { event } = await import(${JSON.stringify(eventsModule)});
         const store = await openSqliteStore({ dataDir: ${JSON.stringify(dataDir)} });
         const ws = await store.createWorkspace('crash', 'UTC');
         const events = Array.from({ length: 2000 }, (_, i) =>
           event('email.Send', { id: 'e' + i, at: '2026-01-05T09:00:00Z', user: 'u' + i }));
         await store.ingest(ws.id, events);
         process.stdout.write('ingested\\n');
         setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
    assert.equal(chunk.toString().trim(), 'ingested');
    child.kill('SIGKILL');
    await once(child, 'exit');

    const store = await openSqliteStore({ dataDir });
    const ws = await store.findWorkspaceByName('crash');
    assert.ok(ws);
    const cells = await store.campaignSeries(ws.id, 'c1', { firstDay: 20_458, lastDay: 20_458 });
    assert.deepEqual(cells.find((c) => c.metric === 'sent')?.value, 2000);
    await store.close();
  });

  it('copies the WAL into the database file on a worker thread when asked to', async () => {
    const dataDir = freshDir();
    const store = await openSqliteStore({ dataDir, backgroundCheckpoints: true });
    const ws = await store.createWorkspace('acme', 'UTC');
    const size = () => statSync(join(dataDir, 'tally.db')).size;
    const before = size();
    const at = '2026-01-05T09:00:00Z';
    const sends = Array.from({ length: 2_000 }, (_, i) =>
      event('email.Send', { id: `s${i}`, at, user: `u${i}` }),
    );
    await store.ingest(ws.id, sends);
    // A few MB, far below the writer's own checkpoint threshold: only the worker copies them.
    const deadline = Date.now() + 10_000;
    while (size() <= before && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.ok(size() > before, `tally.db stayed at ${before} bytes`);
    await store.close();
  });

  it('rejects ingestion into an unknown workspace', async () => {
    const store = await openSqliteStore({ dataDir: freshDir() });
    await assert.rejects(
      store.ingest('ws_missing', [event('email.Send', { id: 's1', at: '2026-01-05T09:00:00Z' })]),
      /unknown workspace/,
    );
    await store.close();
  });

  it('reads the campaign and workspace anew once another process changed them', async () => {
    const dataDir = freshDir();
    const reader = await openSqliteStore({ dataDir });
    const ws = await reader.createWorkspace('acme', 'UTC');
    await reader.defineCampaign(ws.id, { campaign_id: 'c1', name: 'Before' });
    // Read twice: the second read may come from the memo of the first.
    assert.equal((await reader.getCampaign(ws.id, 'c1'))?.name, 'Before');
    assert.equal((await reader.getCampaign(ws.id, 'c1'))?.name, 'Before');
    assert.equal((await reader.getWorkspace(ws.id))?.timezone, 'UTC');
    const writer = await openSqliteStore({ dataDir });
    await writer.defineCampaign(ws.id, { campaign_id: 'c1', name: 'After' });
    await writer.setTimezone(ws.id, 'Asia/Kolkata');
    await writer.close();
    assert.equal((await reader.getCampaign(ws.id, 'c1'))?.name, 'After');
    assert.equal((await reader.getWorkspace(ws.id))?.timezone, 'Asia/Kolkata');
    await reader.close();
  });

  it('counts an event once when two connections store it at once', async () => {
    const dataDir = freshDir();
    const one = await openSqliteStore({ dataDir });
    const ws = await one.createWorkspace('acme', 'UTC');
    const other = await openSqliteStore({ dataDir });
    const sends = Array.from({ length: 500 }, (_, i) =>
      event('email.Send', { id: `s${i}`, at: '2026-01-05T09:00:00Z', user: `u${i}` }),
    );
    const outcomes = await Promise.all([one.ingest(ws.id, sends), other.ingest(ws.id, sends)]);
    assert.deepEqual(outcomes.map((o) => o.accepted + o.duplicates).sort(), [500, 500]);
    assert.equal(outcomes[0]!.accepted + outcomes[1]!.accepted, 500);
    await other.close();
    const cells = await one.campaignSeries(ws.id, 'c1', { firstDay: 20_458, lastDay: 20_458 });
    assert.equal(cells.find((c) => c.metric === 'sent')?.value, 500);
    await one.close();
  });

  it('commits batches sent together as a group in which each batch keeps its own outcome', async () => {
    const store = await openSqliteStore({ dataDir: freshDir() });
    const ws = await store.createWorkspace('acme', 'UTC');
    const at = '2026-01-05T09:00:00Z';
    const send = (id: string) => event('email.Send', { id, at, user: `u-${id}` });
    // Submitted in one tick, so they share a transaction (group-commit.ts).
    const [first, second, lost] = await Promise.allSettled([
      store.ingest(ws.id, [send('s1'), send('s2')]),
      store.ingest(ws.id, [send('s2'), send('s3')]),
      store.ingest('ws_missing', [send('s4')]),
    ]);
    assert.deepEqual(first, {
      status: 'fulfilled',
      value: { accepted: 2, duplicates: 0, duplicatePositions: [], ignored: 0, conflicts: [] },
    });
    assert.deepEqual(second, {
      status: 'fulfilled',
      value: { accepted: 1, duplicates: 1, duplicatePositions: [0], ignored: 0, conflicts: [] },
    });
    assert.equal(lost.status, 'rejected');
    assert.match(String(lost.reason), /unknown workspace/);
    const cells = await store.campaignSeries(ws.id, 'c1', { firstDay: 20_458, lastDay: 20_458 });
    assert.equal(cells.find((c) => c.metric === 'sent')?.value, 3);
    await store.close();
  });

  it('upgrades a schema-5 database: its behaviors are carried over', async () => {
    const T = Date.parse('2026-01-05T09:00:00Z');
    const HOUR = 3_600_000;
    const receipt = (id: string, atMs: number, user: string, send_id: string) =>
      event('email.Send', { id, at: atMs, user, send_id });
    const purchase = (id: string, atMs: number, user: string) =>
      event('users.behaviors.Purchase', {
        id,
        ...{ at: atMs, user, campaign: null, product_id: 'sku', currency: 'USD', price: 10 },
      });
    // Before the upgrade u1 converts against sA, u3 against sC, and u2 has bought without a
    // receipt. After it, a late receipt of u1 in sB takes u1's credit, sC keeps u3's, and u2's
    // late receipt must find the purchase by its instant.
    const early = [
      receipt('r1', T, 'u1', 'sA'),
      purchase('p1', T + 2 * HOUR, 'u1'),
      receipt('r4', T, 'u3', 'sC'),
      purchase('p3', T + HOUR, 'u3'),
    ];
    const earlyAlso = [purchase('p2', T + 5 * HOUR, 'u2')];
    const late = [receipt('r2', T + HOUR, 'u1', 'sB'), receipt('r3', T + 3 * HOUR, 'u2', 'sB')];
    const range = { firstDay: 20_458, lastDay: 20_459 };
    const prepare = async (store: Store): Promise<string> => {
      const { id } = await store.createWorkspace('acme', 'UTC');
      await store.defineCampaign(id, {
        campaign_id: 'c1',
        channels: ['email'],
        variations: [{ id: 'v1', name: 'V1' }],
        conversion_behaviors: [{ type: 'Makes Any Purchase', window: 86_400 }],
      });
      return id;
    };
    // Cells in a fixed order: a store lists them in no particular one.
    const sorted = (cells: SeriesCell[]) =>
      cells.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
    const answers = async (store: Store, ws: string) => ({
      campaign: sorted(await store.campaignSeries(ws, 'c1', range)),
      sA: sorted(await store.sendSeries(ws, 'c1', 'sA', range)),
      sB: sorted(await store.sendSeries(ws, 'c1', 'sB', range)),
      sC: sorted(await store.sendSeries(ws, 'c1', 'sC', range)),
    });

    const dataDir = freshDir();
    const upgraded = await openSqliteStore({ dataDir });
    const ws = await prepare(upgraded);
    await upgraded.ingest(ws, early);
    await upgraded.ingest(ws, earlyAlso);
    await upgraded.close();
    // Back to schema 5 as the release before it left such a database: behaviors as JSON, and
    // a row per credit (no longer read: the rollups already count them).
    const db = new Database(join(dataDir, 'tally.db'));
    db.exec(`
      CREATE TABLE credits (ws TEXT NOT NULL, campaign_id TEXT NOT NULL, user_key TEXT NOT NULL,
        key TEXT NOT NULL, metric TEXT NOT NULL, day_ms INTEGER NOT NULL, event_ms INTEGER NOT NULL,
        channel TEXT NOT NULL, variation_id TEXT NOT NULL, send_id TEXT, value INTEGER NOT NULL,
        PRIMARY KEY (ws, campaign_id, user_key, key)) WITHOUT ROWID;
      CREATE TABLE behaviors_v5 (ws TEXT NOT NULL, user_key TEXT NOT NULL, id TEXT NOT NULL,
        currency TEXT, behavior TEXT NOT NULL, PRIMARY KEY (ws, user_key, id)) WITHOUT ROWID;
      INSERT INTO behaviors_v5 SELECT ws, user_key, id, currency, json_object('id', id,
        'userKey', user_key, 'instantMs', instant_ms, 'kind', kind, 'productId', product_id,
        'price', price, 'quantity', quantity, 'currency', currency) FROM behaviors;
      DROP TABLE behaviors;
      ALTER TABLE behaviors_v5 RENAME TO behaviors;
      CREATE INDEX behaviors_currency ON behaviors (ws, currency, user_key)
        WHERE currency IS NOT NULL;
      DROP TABLE seen_buttons;
      DROP TABLE derivation;
      CREATE TABLE api_keys_v5 (key_hash TEXT PRIMARY KEY, workspace_id TEXT NOT NULL,
        permissions TEXT NOT NULL);
      INSERT INTO api_keys_v5 SELECT key_hash, workspace_id, permissions FROM api_keys;
      DROP TABLE api_keys;
      ALTER TABLE api_keys_v5 RENAME TO api_keys;
      DROP INDEX events_campaign_time;
      PRAGMA user_version = 5;
    `);
    db.close();

    const reopened = await openSqliteStore({ dataDir });
    await reopened.ingest(ws, late);
    const fresh = await openSqliteStore({ dataDir: freshDir() });
    const freshWs = await prepare(fresh);
    await fresh.ingest(freshWs, [...early, ...earlyAlso, ...late]);
    const expected = await answers(fresh, freshWs);
    assert.deepEqual(await answers(reopened, ws), expected);
    // Not vacuous: two purchases count for sB, one for sC, and sA keeps none.
    const conversions = (cells: readonly { metric: string; channel: unknown; value: number }[]) =>
      cells
        .filter((c) => c.metric === 'conversions' && c.channel === null)
        .reduce((n, c) => n + c.value, 0);
    assert.equal(conversions(expected.sB), 2);
    assert.equal(conversions(expected.sA), 0);
    assert.equal(conversions(expected.sC), 1);
    await Promise.all([reopened.close(), fresh.close()]);
  });
});
