/**
 * Reused series answers must never be stale: a write through the same store, or through
 * another connection to the same SQLite file (e.g. `tally import` beside `tally serve`),
 * changes the next answer. Their gzip form is kept with them: compressed once, not per request.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.js';
import { createApiKey } from '../../src/api/keys.js';
import { SeriesCache } from '../../src/api/series-cache.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { event } from '../support/events.js';

const URL = '/campaigns/data_series?campaign_id=c1&length=3&ending_at=2026-01-03T12:00:00Z';

function sentOn(body: string, day: string): number {
  const answer = JSON.parse(body) as {
    data: { time: string; messages: { email: { sent: number }[] } }[];
  };
  return answer.data.find((d) => d.time === day)!.messages.email[0]!.sent;
}

describe('series answers reused from the cache', () => {
  let dataDir: string;
  let store: Store;
  let other: Store;
  let app: FastifyInstance;
  let key: string;
  let workspaceId: string;
  const send = (id: string) => event('email.Send', { id, at: '2026-01-02T10:00:00Z' });
  const get = async () =>
    (await app.inject({ url: URL, headers: { authorization: `Bearer ${key}` } })).body;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tally-cache-'));
    store = await openSqliteStore({ dataDir });
    other = await openSqliteStore({ dataDir });
    workspaceId = (await store.createWorkspace('acme', 'UTC')).id;
    key = await createApiKey(store, workspaceId, ['campaigns.data_series']);
    app = await buildApp({ store, logger: false });
  });
  after(async () => {
    await app.close();
    await store.close();
    await other.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers the same body while nothing is written', async () => {
    await store.ingest(workspaceId, [send('s1')]);
    const first = await get();
    assert.equal(sentOn(first, '2026-01-02'), 1);
    assert.equal(await get(), first);
  });

  it('sees a write through the same store', async () => {
    await get();
    await store.ingest(workspaceId, [send('s2')]);
    assert.equal(sentOn(await get(), '2026-01-02'), 2);
  });

  it('sees a write through another connection to the same file', async () => {
    await get();
    await other.ingest(workspaceId, [send('s3')]);
    assert.equal(sentOn(await get(), '2026-01-02'), 3);
  });

  it('sees a zone change, which moves past events between days', async () => {
    await get();
    await other.ingest(workspaceId, [
      event('email.Send', { id: 's4', at: '2026-01-02T23:30:00Z' }),
    ]);
    assert.equal(sentOn(await get(), '2026-01-02'), 4);
    await store.setTimezone(workspaceId, 'Asia/Kolkata');
    // 23:30 UTC is 05:00 on Jan 3 in Kolkata; the other three stay on Jan 2.
    const body = await get();
    assert.equal(sentOn(body, '2026-01-02'), 3);
    assert.equal(sentOn(body, '2026-01-03'), 1);
  });
});

describe('the gzip form of a cached answer', () => {
  let dataDir: string;
  let store: Store;
  let workspaceId: string;
  let renders: number;
  const cache = new SeriesCache();
  const render = (from: Pick<Store, 'changeStamp'>) =>
    cache.render(from, 'key', async () => `{"render":${++renders}}`);

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tally-cache-gzip-'));
    store = await openSqliteStore({ dataDir });
    workspaceId = (await store.createWorkspace('acme', 'UTC')).id;
    renders = 0;
  });
  after(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is compressed once while the store is unchanged', async () => {
    const gzipped = (await render(store)).gzip();
    assert.equal((await render(store)).gzip(), gzipped, 'the very same Buffer');
    assert.equal(gunzipSync(gzipped).toString(), `{"render":${renders}}`);
  });

  it('is made anew from the new answer after a write', async () => {
    const gzipped = (await render(store)).gzip();
    await store.ingest(workspaceId, [event('email.Send', { id: 's1', at: '2026-01-02T10:00Z' })]);
    const fresh = (await render(store)).gzip();
    assert.notEqual(fresh, gzipped);
    assert.equal(gunzipSync(fresh).toString(), `{"render":${renders}}`);
  });

  it('is made per request when the store cannot tell changes (ClickHouse)', async () => {
    const unstamped = { changeStamp: async () => null };
    const first = await render(unstamped);
    const second = await render(unstamped);
    assert.notEqual(second, first);
    assert.equal(gunzipSync(first.gzip()).toString(), `{"render":${renders - 1}}`);
    assert.equal(gunzipSync(second.gzip()).toString(), `{"render":${renders}}`);
  });
});
