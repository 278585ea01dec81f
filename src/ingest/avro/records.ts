/**
 * Streaming the events of one export file. Both readers are async iterators over a stream, so
 * a reader that is not asked for the next record stops pulling bytes: memory stays flat
 * whatever the file size, and the importer's pace (one store batch at a time) sets the speed.
 *
 * Items are `BodyItem`s, as for `POST /events`, so the importer validates them with the same
 * `prepareBatch`. Indices count records (Avro) or non-blank lines (NDJSON) from 0.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream';
import avro from 'avsc';
import type { BodyItem } from '../body.js';
import type { ExportFile } from './export-tree.js';

/** Thrown when a file cannot be read to its end (corrupt, truncated, unknown codec). */
export class ExportFileError extends Error {
  constructor(
    readonly path: string,
    readonly recordsRead: number,
    reason: string,
  ) {
    super(`${path}: ${reason} (after ${recordsRead} records)`);
  }
}

/** A file cut short: what it lacks, e.g. "the last block is incomplete". */
class Truncated extends Error {}

function avroReason(error: unknown): string {
  if (error instanceof Truncated) return `truncated Avro file: ${error.message}`;
  return `corrupt or unreadable Avro file: ${error instanceof Error ? error.message : String(error)}`;
}

/**
 * avsc ends quietly on a file cut mid-block, dropping the partial block. Every complete Avro
 * container ends with the sync marker of its header (the header itself ends with one, and so
 * does each block), so a file that does not was truncated, and its lost records are reported.
 */
async function assertComplete(path: string, sync: Buffer | undefined): Promise<void> {
  if (sync === undefined) throw new Truncated('the file ends inside the Avro header');
  const handle = await open(path);
  try {
    const { size } = await handle.stat();
    const tail = Buffer.alloc(sync.length);
    await handle.read(tail, 0, tail.length, Math.max(0, size - tail.length));
    if (!tail.equals(sync)) throw new Truncated('the last block is incomplete');
  } finally {
    await handle.close();
  }
}

/**
 * The record as a plain event: avsc decodes records into instances of generated classes, and
 * `event_type` comes from the file when the record has none (Currents records never do).
 */
function asEvent(record: object, eventType: string | undefined): Record<string, unknown> {
  const event: Record<string, unknown> = { ...record };
  if (eventType !== undefined && (event.event_type === undefined || event.event_type === null)) {
    event.event_type = eventType;
  }
  return event;
}

async function* avroItems(file: ExportFile): AsyncGenerator<BodyItem> {
  // What avro.createFileDecoder does, but through pipeline(): its plain pipe() would neither
  // pass a read error on to the decoder nor close the file when we stop early.
  const decoder = new avro.streams.BlockDecoder();
  pipeline(createReadStream(file.path), decoder, () => {
    // Errors surface through the decoder, which pipeline() destroys with them.
  });
  let sync: Buffer | undefined;
  decoder.on('metadata', (_type: unknown, _codec: unknown, header: { sync: Buffer }) => {
    sync = header.sync;
  });
  let index = 0;
  try {
    for await (const record of decoder) {
      yield { index, value: asEvent(record as object, file.eventType) };
      index++;
    }
    await assertComplete(file.path, sync);
  } catch (error) {
    throw new ExportFileError(file.path, index, avroReason(error));
  } finally {
    decoder.destroy();
  }
}

async function* ndjsonItems(file: ExportFile): AsyncGenerator<BodyItem> {
  const input = createReadStream(file.path, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let index = 0;
  let lineNumber = 0;
  try {
    for await (const line of lines) {
      lineNumber++;
      if (line.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error) {
        // One broken line is one rejected event, as for an NDJSON request; the file goes on.
        const reason = error instanceof Error ? error.message : String(error);
        yield { index: index++, error: `line ${lineNumber}: invalid JSON (${reason})` };
        continue;
      }
      const isObject = value !== null && typeof value === 'object' && !Array.isArray(value);
      yield { index: index++, value: isObject ? asEvent(value as object, file.eventType) : value };
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ExportFileError(file.path, index, `unreadable: ${reason}`);
  } finally {
    lines.close();
    input.destroy();
  }
}

/** The events of one file, in file order; throws ExportFileError when the file is unreadable. */
export function readExportFile(file: ExportFile): AsyncGenerator<BodyItem> {
  return file.format === 'avro' ? avroItems(file) : ndjsonItems(file);
}
