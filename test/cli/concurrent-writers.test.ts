/**
 * Two writers on one embedded store: `tally import` (a Currents export) runs beside `tally
 * serve`, which takes events over HTTP and answers series between its batches. Afterwards the
 * server answers exactly what a fresh store given the same events, one writer after the other,
 * answers: nothing lost, nothing counted twice, no stale cached answer (issue #16, item 3).
 * The import and the HTTP batches are started together; how they interleave varies from run to
 * run, and the assertions hold for every interleaving (each one is a possible history).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createApiKey } from '../../src/api/keys.js';
import { PERMISSIONS } from '../../src/domain/permissions.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { exportPath, record, tempDir, writeAvro } from '../ingest/avro-fixtures.js';
import {
  getJson,
  LISTENING,
  removeDataDir,
  runCli,
  startCli,
  stopCli,
  tempDataDir,
} from './cli-process.js';

const T0 = 1_767_607_200; // 2026-01-05T10:00:00Z
const SEND = 'users.messages.email.Send';
const OPEN = 'users.messages.email.Open';
const FILES = 4;
const PER_FILE = 1_500;
const HTTP_BATCHES = 20;
const PER_BATCH = 100;

/** The export: email sends and opens to users e0..e5999 over two days, in FILES files. */
async function writeExport(root: string): Promise<void> {
  for (let file = 0; file < FILES; file++) {
    for (const type of [SEND, OPEN]) {
      const records = Array.from({ length: PER_FILE }, (_, i) => {
        const n = file * PER_FILE + i;
        return record(type, {
          id: `${type === SEND ? 's' : 'o'}-${n}`,
          user_id: `braze-e${n}`,
          external_user_id: `e${n}`,
          email_address: `e${n}@example.com`,
          time: T0 + (n % 2) * 86_400 + (type === OPEN ? 600 : 0),
          campaign_id: 'c1',
          campaign_name: 'Winter',
          message_variation_id: 'v1',
        });
      });
      await writeAvro(
        exportPath(root, type, `2026-01-05-1${file}`, `part-${type}.avro`),
        type,
        records,
      );
    }
  }
}

/** HTTP batches: sends and opens to other users, some opens repeating the export's ids. */
function httpBatch(b: number): Record<string, unknown>[] {
  return Array.from({ length: PER_BATCH }, (_, i) => {
    const n = b * PER_BATCH + i;
    const repeat = i % 10 === 0;
    return {
      id: repeat ? `o-${n}` : `h-${n}`,
      event_type: repeat ? OPEN : SEND,
      time: repeat ? T0 + (n % 2) * 86_400 + 600 : T0 + 3_600,
      external_user_id: repeat ? `e${n}` : `h${n}`,
      campaign_id: 'c1',
      campaign_name: 'Winter',
      message_variation_id: 'v1',
    };
  });
}

const SERIES = '/campaigns/data_series?campaign_id=c1&length=3&ending_at=2026-01-07';

async function prepare(dataDir: string): Promise<string> {
  const store = await openSqliteStore({ dataDir });
  try {
    const workspace = await store.createWorkspace('acme', 'UTC');
    return await createApiKey(store, workspace.id, PERMISSIONS);
  } finally {
    await store.close();
  }
}

async function post(url: string, key: string, events: readonly Record<string, unknown>[]) {
  const response = await fetch(`${url}/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(events),
  });
  assert.equal(response.status, 200, await response.text());
}

describe('a CLI writer beside the server (embedded store)', () => {
  it('ends with exactly the answers of a fresh store given the same events', async () => {
    const root = tempDir('tally-concurrent-export-');
    await writeExport(root);
    const shared = tempDataDir();
    const fresh = tempDataDir();
    try {
      const key = await prepare(shared);
      const server = await startCli(['serve', '--port', '0', '--data', shared], LISTENING);
      const url = server.match[1]!;
      try {
        const importing = runCli(['import', root, '--workspace', 'acme', '--data', shared]);
        for (let b = 0; b < HTTP_BATCHES; b++) {
          await post(url, key, httpBatch(b));
          // Reads between the writes of both writers answer (whatever they see so far).
          assert.equal((await getJson(`${url}${SERIES}`, key)).status, 200);
        }
        const imported = await importing;
        assert.equal(imported.code, 0, imported.stderr);
        const live = await getJson(`${url}${SERIES}`, key);

        // The fresh store: the same events, the export first, then the HTTP batches.
        const freshKey = await prepare(fresh);
        const once = await runCli(['import', root, '--workspace', 'acme', '--data', fresh]);
        assert.equal(once.code, 0, once.stderr);
        const other = await startCli(['serve', '--port', '0', '--data', fresh], LISTENING);
        try {
          const otherUrl = other.match[1]!;
          for (let b = 0; b < HTTP_BATCHES; b++) await post(otherUrl, freshKey, httpBatch(b));
          const expected = await getJson(`${otherUrl}${SERIES}`, freshKey);
          assert.deepEqual(live.body, expected.body);
        } finally {
          await stopCli(other.child, 'SIGTERM');
        }
        // Nothing lost, nothing counted twice: every send of both writers, once.
        const sent = (live.body.data as { messages: { email: { sent: number }[] } }[]).reduce(
          (sum, day) => sum + day.messages.email[0]!.sent,
          0,
        );
        assert.equal(sent, FILES * PER_FILE + HTTP_BATCHES * PER_BATCH * 0.9);
      } finally {
        await stopCli(server.child, 'SIGTERM');
      }
    } finally {
      removeDataDir(shared);
      removeDataDir(fresh);
      removeDataDir(root);
    }
  });
});
