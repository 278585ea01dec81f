import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { formatSummary, runImport, type ImportSummary } from '../../src/cli/import.js';
import { localDay } from '../../src/domain/time.js';
import { ImportJournal, JOURNAL_FILE } from '../../src/ingest/avro/import-journal.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { exportPath, record, tempDir, writeAvro } from '../ingest/avro-fixtures.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

const SEND = 'users.messages.email.Send';
const OPEN = 'users.messages.email.Open';
const PUSH = 'users.messages.pushnotification.Send';
const CUSTOM = 'users.behaviors.CustomEvent';
const T0 = 1_767_607_200; // 2026-01-05T10:00:00Z
const DAY = localDay(T0 * 1000, 'UTC');

function message(type: string, id: string, user: string, extra: Record<string, unknown> = {}) {
  return record(type, {
    id,
    user_id: `braze-${user}`,
    external_user_id: user,
    time: T0,
    email_address: `${user}@example.com`,
    campaign_id: 'c1',
    campaign_name: 'Winter',
    message_variation_id: 'v1',
    ...extra,
  });
}

/**
 * A nested export: email sends over two hours (one Canvas-only, counted nowhere), an open,
 * push sends (one with a platform Tally refuses), a custom event, and a truncated file.
 */
async function writeExport(root: string): Promise<{ broken: string }> {
  await writeAvro(exportPath(root, SEND, '2026-01-05-10', 'part-0.avro'), SEND, [
    message(SEND, 's1', 'u1'),
    message(SEND, 's2', 'u2'),
  ]);
  await writeAvro(exportPath(root, SEND, '2026-01-05-11', 'part-0.avro'), SEND, [
    message(SEND, 's3', 'u3'),
    message(SEND, 's4', 'u4', { campaign_id: null, canvas_id: 'canvas1' }),
  ]);
  await writeAvro(exportPath(root, OPEN, '2026-01-05-11', 'part-0.avro'), OPEN, [
    message(OPEN, 'o1', 'u1'),
  ]);
  await writeAvro(exportPath(root, PUSH, '2026-01-05-10', 'part-0.avro'), PUSH, [
    message(PUSH, 'p1', 'u1', { platform: 'ios' }),
    message(PUSH, 'p2', 'u2', { platform: 'roku' }),
  ]);
  await writeAvro(exportPath(root, CUSTOM, '2026-01-05-10', 'part-0.avro'), CUSTOM, [
    record(CUSTOM, { id: 'e1', user_id: 'braze-u1', time: T0, name: 'signup' }),
  ]);
  const broken = await writeAvro(exportPath(root, SEND, '2026-01-05-12', 'part-0.avro'), SEND, [
    message(SEND, 's5', 'u5'),
  ]);
  truncateSync(broken, statSync(broken).size - 10);
  return { broken };
}

async function metric(store: Store, workspaceId: string, channel: string, name: string) {
  const cells = await store.campaignSeries(workspaceId, 'c1', { firstDay: DAY, lastDay: DAY });
  return cells
    .filter((cell) => cell.channel === channel && cell.metric === name)
    .reduce((sum, cell) => sum + cell.value, 0);
}

function counts(summary: ImportSummary, eventType: string) {
  const found = summary.byType.get(eventType);
  if (!found) return undefined;
  const { accepted, duplicates, ignored, conflicts, rejected } = found;
  return { accepted, duplicates, ignored, conflicts, rejected };
}

const zero = { accepted: 0, duplicates: 0, ignored: 0, conflicts: 0, rejected: 0 };

describe('runImport', () => {
  let dataDir: string;
  let root: string;
  let broken: string;
  let store: Store;
  let workspaceId: string;

  before(async () => {
    dataDir = tempDir('tally-import-data-');
    root = tempDir('tally-import-export-');
    ({ broken } = await writeExport(root));
    store = await openSqliteStore({ dataDir });
    workspaceId = (await store.createWorkspace('acme', 'UTC')).id;
  });
  after(() => store.close());

  const importOnce = (): Promise<ImportSummary> =>
    runImport({ store, workspaceId, root, journal: new ImportJournal(dataDir), batchSize: 2 });

  it('imports a nested export, counting every event once by type, and names the broken file', async () => {
    const errors: string[] = [];
    const summary = await runImport({
      store,
      workspaceId,
      root,
      journal: new ImportJournal(dataDir),
      batchSize: 2,
      onFileError: (message) => errors.push(message),
    });
    assert.deepEqual(counts(summary, SEND), { ...zero, accepted: 3, ignored: 1 });
    assert.deepEqual(counts(summary, OPEN), { ...zero, accepted: 1 });
    assert.deepEqual(counts(summary, PUSH), { ...zero, accepted: 1, rejected: 1 });
    assert.deepEqual(counts(summary, CUSTOM), { ...zero, accepted: 1 });
    assert.match(summary.byType.get(PUSH)!.samples[0]!, /#1: platform must be one of/);
    assert.equal(summary.events, 8);
    assert.equal(summary.filesImported, 5);
    assert.equal(summary.filesSkipped, 0);
    assert.equal(errors.length, 1);
    assert.ok(errors[0]!.startsWith(`${broken}: truncated Avro file`), errors[0]);
    assert.deepEqual(summary.failures, errors);

    assert.equal(await metric(store, workspaceId, 'email', 'sent'), 3);
    assert.equal(await metric(store, workspaceId, 'email', 'opens'), 1);
    assert.equal(await metric(store, workspaceId, 'ios_push', 'sent'), 1);

    const text = formatSummary(summary);
    assert.match(text, /files: 5 imported, 0 already imported, 1 failed/);
    assert.match(text, new RegExp(`${SEND.replaceAll('.', '\\.')} +3 +0 +1 +0 +0`));
    assert.match(text, /total +6 +0 +1 +0 +1/);
    assert.ok(text.includes(`failed: ${broken}`));
  });

  it('skips the files a second run finds in the journal, and retries the broken one', async () => {
    const summary = await importOnce();
    assert.equal(summary.filesImported, 0);
    assert.equal(summary.filesSkipped, 5);
    assert.equal(summary.events, 0);
    assert.equal(summary.failures.length, 1);
    assert.equal(await metric(store, workspaceId, 'email', 'sent'), 3);
  });

  it('counts a renamed copy of an imported file as duplicates, changing no number', async () => {
    const original = exportPath(root, SEND, '2026-01-05-10', 'part-0.avro');
    copyFileSync(original, exportPath(root, SEND, '2026-01-05-10', 'part-0-copy.avro'));
    const summary = await importOnce();
    assert.equal(summary.filesImported, 1);
    assert.deepEqual(counts(summary, SEND), { ...zero, duplicates: 2 });
    assert.equal(await metric(store, workspaceId, 'email', 'sent'), 3);
  });

  it('refuses an .avro file outside any event_type folder unless given --event-type', async () => {
    const single = join(tempDir('tally-import-single-'), 'sends.avro');
    await writeAvro(single, SEND, [message(SEND, 's9', 'u9')]);
    const journal = new ImportJournal(dataDir);
    const refused = await runImport({ store, workspaceId, root: single, journal });
    assert.match(refused.failures[0] ?? '', /cannot tell its event type.*--event-type/);
    const imported = await runImport({
      store,
      workspaceId,
      root: single,
      journal,
      eventType: SEND,
    });
    assert.deepEqual(counts(imported, SEND), { ...zero, accepted: 1 });
    assert.equal(await metric(store, workspaceId, 'email', 'sent'), 4);
  });
});

interface Exit {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function tally(args: string[]): { child: ReturnType<typeof spawn>; exit: Promise<Exit> } {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<Exit>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, exit };
}

async function workspaceIn(dataDir: string): Promise<string> {
  const store = await openSqliteStore({ dataDir });
  try {
    return (await store.createWorkspace('acme', 'UTC')).id;
  } finally {
    await store.close();
  }
}

/** Waits (at most 15 s) until the journal lists `path`: the file is fully imported. */
async function journaled(dataDir: string, path: string): Promise<void> {
  const journal = join(dataDir, JOURNAL_FILE);
  for (let waited = 0; waited < 15_000; waited += 50) {
    if (existsSync(journal) && readFileSync(journal, 'utf8').includes(JSON.stringify(path))) return;
    await sleep(50);
  }
  assert.fail(`${path} was not imported within 15 s`);
}

describe('tally import (CLI)', () => {
  it('prints the summary, names the broken file on stderr and exits 1', async () => {
    const dataDir = tempDir('tally-import-cli-');
    const root = tempDir('tally-import-cli-export-');
    const { broken } = await writeExport(root);
    await workspaceIn(dataDir);
    const { code, stdout, stderr } = await tally([
      'import',
      root,
      '--workspace',
      'acme',
      '--data',
      dataDir,
    ]).exit;
    assert.equal(code, 1, stderr);
    assert.ok(stderr.includes(`tally: import failed: ${broken}: truncated Avro file`), stderr);
    assert.match(stdout, /files: 5 imported, 0 already imported, 1 failed/);
    assert.match(stdout, /total +6 +0 +1 +0 +1/);
  });

  it('refuses an unknown workspace or a missing path with a one-line error', async () => {
    const dataDir = tempDir('tally-import-cli-');
    const root = tempDir('tally-import-cli-export-');
    const unknown = await tally(['import', root, '--workspace', 'nope', '--data', dataDir]).exit;
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^tally: no workspace named "nope"/);
    await workspaceIn(dataDir);
    const missing = join(root, 'missing');
    const result = await tally(['import', missing, '--workspace', 'acme', '--data', dataDir]).exit;
    assert.equal(result.code, 1);
    assert.equal(result.stderr, `tally: ${missing}: no such file or folder\n`);
  });

  it('--watch imports a file written after it started, until SIGINT', async () => {
    const dataDir = tempDir('tally-import-watch-');
    const root = tempDir('tally-import-watch-export-');
    const workspaceId = await workspaceIn(dataDir);
    const first = await writeAvro(exportPath(root, SEND, '2026-01-05-10', 'a.avro'), SEND, [
      message(SEND, 's1', 'u1'),
    ]);
    const run = tally([
      'import',
      root,
      '--workspace',
      'acme',
      '--data',
      dataDir,
      '--watch',
      '--poll-ms',
      '50',
    ]);
    await journaled(dataDir, first);
    const later = await writeAvro(exportPath(root, SEND, '2026-01-05-11', 'b.avro'), SEND, [
      message(SEND, 's2', 'u2'),
      message(SEND, 's3', 'u3'),
    ]);
    await journaled(dataDir, later);
    run.child.kill('SIGINT');
    const { code, stdout, stderr } = await run.exit;
    assert.equal(code, 0, stderr);
    assert.match(stdout, /files: 2 imported, 0 already imported, 0 failed/);
    assert.match(stdout, new RegExp(`${SEND.replaceAll('.', '\\.')} +3 +0 +0 +0 +0`));

    const store = await openSqliteStore({ dataDir });
    try {
      assert.equal(await metric(store, workspaceId, 'email', 'sent'), 3);
    } finally {
      await store.close();
    }
  });
});
