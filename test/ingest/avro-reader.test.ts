import assert from 'node:assert/strict';
import {
  appendFileSync,
  mkdirSync,
  readFileSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { BodyItem } from '../../src/ingest/body.js';
import {
  eventTypeFromPath,
  ExportPathError,
  listExportFiles,
  type ExportFile,
} from '../../src/ingest/avro/export-tree.js';
import { ImportJournal, JOURNAL_FILE } from '../../src/ingest/avro/import-journal.js';
import { ExportFileError, readExportFile } from '../../src/ingest/avro/records.js';
import { exportPath, record, tempDir, writeAvro } from './avro-fixtures.js';

const SEND = 'users.messages.email.Send';
const OPEN = 'users.messages.email.Open';

async function readAll(file: ExportFile): Promise<BodyItem[]> {
  const items: BodyItem[] = [];
  for await (const item of readExportFile(file)) items.push(item);
  return items;
}

const sendRecord = (id: string): Record<string, unknown> =>
  record(SEND, {
    id,
    user_id: `b-${id}`,
    external_user_id: `u-${id}`,
    time: 1_767_607_200,
    email_address: `${id}@example.com`,
    campaign_id: 'c1',
    message_variation_id: 'v1',
  });

describe('listExportFiles', () => {
  it('walks a Currents tree in path order, naming each file by its event_type folder', async () => {
    const root = tempDir('tally-tree-');
    await writeAvro(exportPath(root, SEND, '2026-01-05-11', 'b.avro'), SEND, [sendRecord('s2')]);
    await writeAvro(exportPath(root, SEND, '2026-01-05-10', 'a.avro'), SEND, [sendRecord('s1')]);
    await writeAvro(exportPath(root, OPEN, '2026-01-05-10', 'a.avro'), OPEN, []);
    writeFileSync(join(root, 'extra.ndjson'), '');
    // A sink's temporary and an unrelated file are not events.
    writeFileSync(join(root, '.part.avro'), 'partial');
    writeFileSync(join(root, 'README.txt'), 'hello');

    const files = await listExportFiles(root, 'fallback.Type');
    assert.deepEqual(
      files.map((f) => [f.path.slice(root.length + 1), f.format, f.eventType]),
      [
        [`event_type=${OPEN}/date=2026-01-05-10/a.avro`, 'avro', OPEN],
        [`event_type=${SEND}/date=2026-01-05-10/a.avro`, 'avro', SEND],
        [`event_type=${SEND}/date=2026-01-05-11/b.avro`, 'avro', SEND],
        ['extra.ndjson', 'ndjson', 'fallback.Type'],
      ],
    );
    assert.equal(files[1]!.size, statSync(files[1]!.path).size);
  });

  it('takes a single file, and refuses a missing path or a file that is not an export', async () => {
    const root = tempDir('tally-tree-');
    const path = await writeAvro(join(root, 'one.avro'), SEND, [sendRecord('s1')]);
    const [file] = await listExportFiles(path, SEND);
    assert.equal(file!.eventType, SEND);
    await assert.rejects(listExportFiles(join(root, 'missing')), ExportPathError);
    writeFileSync(join(root, 'notes.txt'), '');
    await assert.rejects(listExportFiles(join(root, 'notes.txt')), /not an export file/);
  });

  it('reads the event type from the innermost event_type= folder only', () => {
    assert.equal(eventTypeFromPath(`/x/event_type=${SEND}/date=2026-01-01-00/f.avro`), SEND);
    assert.equal(eventTypeFromPath('/x/date=2026-01-01-00/event_type=a.b/f.avro'), 'a.b');
    assert.equal(eventTypeFromPath('/x/event_type=/f.avro'), undefined);
    assert.equal(eventTypeFromPath('/x/event_type=a.b.avro'), undefined);
  });
});

describe('readExportFile', () => {
  it('yields each Avro record as a plain event with event_type from the folder', async () => {
    const root = tempDir('tally-read-');
    const path = exportPath(root, SEND, '2026-01-05-10', 'a.avro');
    await writeAvro(path, SEND, [sendRecord('s1'), sendRecord('s2')]);
    const [file] = await listExportFiles(root);
    const items = await readAll(file!);
    assert.equal(items.length, 2);
    assert.deepEqual(items[0], {
      index: 0,
      value: { ...sendRecord('s1'), event_type: SEND },
    });
    assert.equal(Object.getPrototypeOf((items[1] as { value: object }).value), Object.prototype);
  });

  it('streams a file larger than many blocks without losing or repeating a record', async () => {
    const root = tempDir('tally-read-');
    const count = 20_000;
    const ids = Array.from({ length: count }, (_, i) => `s${i}`);
    await writeAvro(join(root, 'big.avro'), SEND, ids.map(sendRecord));
    const [file] = await listExportFiles(join(root, 'big.avro'), SEND);
    const seen = (await readAll(file!)).map((item) => (item as { value: { id: string } }).value.id);
    assert.deepEqual(seen, ids);
  });

  it('names the file of a truncated Avro export after yielding its complete blocks', async () => {
    const root = tempDir('tally-read-');
    const path = join(root, 'cut.avro');
    const count = 20_000;
    await writeAvro(
      path,
      SEND,
      Array.from({ length: count }, (_, i) => sendRecord(`s${i}`)),
    );
    truncateSync(path, statSync(path).size - 20);
    const [file] = await listExportFiles(path, SEND);
    let read = 0;
    await assert.rejects(
      (async () => {
        for await (const item of readExportFile(file!)) {
          assert.equal(item.index, read++);
        }
      })(),
      (error: unknown) => {
        assert.ok(error instanceof ExportFileError);
        assert.equal(error.path, path);
        assert.equal(error.recordsRead, read);
        assert.match(error.message, /: truncated Avro file: the last block is incomplete/);
        assert.ok(error.message.startsWith(`${path}: `));
        return true;
      },
    );
    // The complete blocks before the cut were read; the cut block was not.
    assert.ok(read > 0 && read < count, `read ${read} of ${count}`);
  });

  it('names the file of an empty or header-only-cut Avro file', async () => {
    const root = tempDir('tally-read-');
    const path = join(root, 'empty.avro');
    writeFileSync(path, '');
    const [file] = await listExportFiles(path, SEND);
    await assert.rejects(readAll(file!), /empty\.avro: truncated Avro file: the file ends inside/);
  });

  it('names the file of something that is not Avro at all', async () => {
    const root = tempDir('tally-read-');
    const path = join(root, 'garbage.avro');
    writeFileSync(path, 'this is not an avro container file');
    const [file] = await listExportFiles(path, SEND);
    await assert.rejects(readAll(file!), (error: unknown) => {
      assert.ok(error instanceof ExportFileError);
      assert.ok(error.message.startsWith(`${path}: `));
      return true;
    });
  });

  it('reads NDJSON: a broken line is one error item, the event_type of the line wins', async () => {
    const root = tempDir('tally-read-');
    const path = join(root, `event_type=${OPEN}`, 'x.ndjson');
    const lines = [
      '{"id":"a","time":1}',
      '',
      'not json',
      '{"id":"b","event_type":"other.Type"}',
      '[1]',
    ];
    mkdirSync(join(root, `event_type=${OPEN}`));
    writeFileSync(path, `${lines.join('\n')}\n`);
    const [file] = await listExportFiles(path);
    const items = await readAll(file!);
    assert.equal(items.length, 4);
    assert.deepEqual(items[0], { index: 0, value: { id: 'a', time: 1, event_type: OPEN } });
    assert.equal(items[1]!.index, 1);
    assert.match((items[1] as { error: string }).error, /^line 3: invalid JSON/);
    assert.deepEqual(items[2], { index: 2, value: { id: 'b', event_type: 'other.Type' } });
    assert.deepEqual(items[3], { index: 3, value: [1] });
  });
});

describe('ImportJournal', () => {
  const file = (path: string, size: number, mtimeMs: number): ExportFile => ({
    path,
    format: 'avro',
    eventType: SEND,
    size,
    mtimeMs,
  });

  it('remembers imported files across instances, per workspace, size and mtime', () => {
    const dir = tempDir('tally-journal-');
    const journal = new ImportJournal(dir);
    journal.record('w1', file('/a.avro', 10, 1000), 3);
    const reopened = new ImportJournal(dir);
    assert.equal(reopened.has('w1', file('/a.avro', 10, 1000)), true);
    assert.equal(reopened.has('w2', file('/a.avro', 10, 1000)), false);
    assert.equal(reopened.has('w1', file('/a.avro', 11, 1000)), false);
    assert.equal(reopened.has('w1', file('/a.avro', 10, 2000)), false);
    assert.equal(reopened.has('w1', file('/b.avro', 10, 1000)), false);
  });

  it('survives a torn last line and keeps appending whole lines after it', () => {
    const dir = tempDir('tally-journal-');
    new ImportJournal(dir).record('w1', file('/a.avro', 10, 1000), 3);
    appendFileSync(join(dir, JOURNAL_FILE), '{"workspace":"w1","pa');
    const journal = new ImportJournal(dir);
    journal.record('w1', file('/b.avro', 10, 1000), 1);
    const reopened = new ImportJournal(dir);
    assert.equal(reopened.has('w1', file('/a.avro', 10, 1000)), true);
    assert.equal(reopened.has('w1', file('/b.avro', 10, 1000)), true);
    const lines = readFileSync(join(dir, JOURNAL_FILE), 'utf8').trimEnd().split('\n');
    assert.equal(lines.length, 3);
  });
});
