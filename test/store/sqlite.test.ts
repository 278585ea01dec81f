/** The store contract on the embedded SQLite store, plus what only a file-backed store must do. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { event } from '../support/events.js';
import { storeContract } from './contract.js';
import { conversionContract } from './conversion-contract.js';

const freshDir = (): string => mkdtempSync(join(tmpdir(), 'tally-sqlite-'));

storeContract('sqlite', () => openSqliteStore({ dataDir: freshDir() }));
conversionContract('sqlite', () => openSqliteStore({ dataDir: freshDir() }));

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
    assert.deepEqual(outcome, { accepted: 1, duplicates: 1, ignored: 0, conflicts: [] });
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
      value: { accepted: 2, duplicates: 0, ignored: 0, conflicts: [] },
    });
    assert.deepEqual(second, {
      status: 'fulfilled',
      value: { accepted: 1, duplicates: 1, ignored: 0, conflicts: [] },
    });
    assert.equal(lost.status, 'rejected');
    assert.match(String(lost.reason), /unknown workspace/);
    const cells = await store.campaignSeries(ws.id, 'c1', { firstDay: 20_458, lastDay: 20_458 });
    assert.equal(cells.find((c) => c.metric === 'sent')?.value, 3);
    await store.close();
  });
});
