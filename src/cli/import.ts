/**
 * `tally import`: reads a Braze Currents export (src/ingest/avro/) into a workspace, through the
 * same validation as `POST /events` (prepareBatch → store.ingest), in batches of 5,000.
 *
 * Every event read lands in exactly one counter of its event type:
 *   accepted + duplicates + ignored + conflicts + rejected == events read
 * A file that cannot be read to its end is reported (naming it) and the others go on; the events
 * read before the damage are kept (they are valid, and ids deduplicate if the file is repaired
 * and imported again), but the file is not journaled, so the next run tries it again.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { NormalizedEvent } from '../domain/event.js';
import type { BodyItem } from '../ingest/body.js';
import { prepareBatch } from '../ingest/batch.js';
import { unwrapUnion } from '../ingest/currents.js';
import { listExportFiles, type ExportFile } from '../ingest/avro/export-tree.js';
import type { ImportJournal } from '../ingest/avro/import-journal.js';
import { ExportFileError, readExportFile } from '../ingest/avro/records.js';
import type { Store } from '../store/store.js';

export const IMPORT_BATCH_SIZE = 5_000;
/** Examples of rejected events kept per event type for the summary. */
const REJECTION_SAMPLES = 3;
const UNKNOWN_TYPE = '(no event_type)';

export interface TypeCounts {
  accepted: number;
  duplicates: number;
  ignored: number;
  conflicts: number;
  rejected: number;
  /** The first few rejections: `<file>#<record>: <reason>`. */
  readonly samples: string[];
}

export interface ImportSummary {
  /** Keyed by event type, in first-seen order. */
  readonly byType: Map<string, TypeCounts>;
  filesImported: number;
  /** Files already in the journal (imported by an earlier run). */
  filesSkipped: number;
  /** One message per file that could not be read, naming it. */
  readonly failures: string[];
  events: number;
  /** True when the run stopped on its signal before reading everything it found. */
  interrupted: boolean;
}

export interface ImportProgress {
  readonly filesTotal: number;
  readonly filesDone: number;
  readonly events: number;
}

export interface ImportOptions {
  readonly store: Store;
  readonly workspaceId: string;
  /** An export folder, one `.avro` file, or `.ndjson` files. */
  readonly root: string;
  readonly journal: ImportJournal;
  /** Event type of files outside any `event_type=<type>` folder. */
  readonly eventType?: string;
  readonly batchSize?: number;
  /** Stops the run between batches (SIGINT). */
  readonly signal?: AbortSignal;
  /** Keep polling `root` for new files until `signal` aborts. */
  readonly watchIntervalMs?: number;
  readonly onProgress?: (progress: ImportProgress) => void;
  /** Called as soon as a file fails, so the user hears of it before the summary. */
  readonly onFileError?: (message: string) => void;
}

function countsFor(summary: ImportSummary, eventType: string): TypeCounts {
  let counts = summary.byType.get(eventType);
  if (counts === undefined) {
    counts = { accepted: 0, duplicates: 0, ignored: 0, conflicts: 0, rejected: 0, samples: [] };
    summary.byType.set(eventType, counts);
  }
  return counts;
}

function eventTypeOfItem(item: BodyItem, file: ExportFile): string {
  if ('value' in item && item.value !== null && typeof item.value === 'object') {
    const type = unwrapUnion((item.value as Record<string, unknown>).event_type);
    if (typeof type === 'string' && type !== '') return type;
  }
  return file.eventType ?? UNKNOWN_TYPE;
}

class Importer {
  readonly summary: ImportSummary = {
    byType: new Map(),
    filesImported: 0,
    filesSkipped: 0,
    failures: [],
    events: 0,
    interrupted: false,
  };
  private filesTotal = 0;
  private filesDone = 0;
  private readonly batchSize: number;

  constructor(private readonly options: ImportOptions) {
    this.batchSize = options.batchSize ?? IMPORT_BATCH_SIZE;
  }

  private get aborted(): boolean {
    return this.options.signal?.aborted === true;
  }

  private report(): void {
    this.options.onProgress?.({
      filesTotal: this.filesTotal,
      filesDone: this.filesDone,
      events: this.summary.events,
    });
  }

  /** Files found is a running total: in watch mode new files keep arriving. */
  found(count: number, alreadyDone: number): void {
    this.filesTotal += count;
    this.filesDone += alreadyDone;
    this.summary.filesSkipped += alreadyDone;
    this.report();
  }

  /** The store reports counts per call, so each event type goes in its own call to be told apart. */
  private async ingest(items: BodyItem[], file: ExportFile): Promise<void> {
    const prepared = prepareBatch(items);
    const itemsByIndex = new Map(items.map((item) => [item.index, item]));
    for (const error of prepared.errors) {
      const counts = countsFor(this.summary, eventTypeOfItem(itemsByIndex.get(error.index)!, file));
      counts.rejected++;
      if (counts.samples.length < REJECTION_SAMPLES) {
        counts.samples.push(`${file.path}#${error.index}: ${error.message}`);
      }
    }
    const byType = new Map<string, NormalizedEvent[]>();
    for (const event of prepared.events) {
      const group = byType.get(event.eventType);
      if (group) group.push(event);
      else byType.set(event.eventType, [event]);
    }
    for (const [eventType, events] of byType) {
      const outcome = await this.options.store.ingest(this.options.workspaceId, events);
      const counts = countsFor(this.summary, eventType);
      counts.accepted += outcome.accepted;
      counts.duplicates += outcome.duplicates;
      counts.ignored += outcome.ignored;
      counts.conflicts += outcome.conflicts.length;
    }
    this.summary.events += items.length;
    this.report();
  }

  /** Imports one file; false when it failed or the run was interrupted before its end. */
  async importFile(file: ExportFile): Promise<boolean> {
    let batch: BodyItem[] = [];
    let read = 0;
    try {
      for await (const item of readExportFile(file)) {
        batch.push(item);
        read++;
        if (batch.length >= this.batchSize) {
          await this.ingest(batch, file);
          batch = [];
          if (this.aborted) {
            this.summary.interrupted = true;
            return false;
          }
        }
      }
    } catch (error) {
      if (!(error instanceof ExportFileError)) throw error;
      await this.ingest(batch, file);
      this.fail(error.message);
      return false;
    }
    await this.ingest(batch, file);
    this.options.journal.record(this.options.workspaceId, file, read);
    this.summary.filesImported++;
    this.filesDone++;
    this.report();
    return true;
  }

  fail(message: string): void {
    this.summary.failures.push(message);
    this.filesDone++;
    this.options.onFileError?.(message);
    this.report();
  }
}

const signature = (file: ExportFile): string => `${file.size}:${file.mtimeMs}`;

/**
 * Imports every file under `options.root` not yet journaled for the workspace. With
 * `watchIntervalMs`, keeps polling until `signal` aborts; a file is imported once it is
 * complete, i.e. its size and mtime are the same in two polls in a row (a sink may still be
 * writing it). A file that failed is retried only when it changes.
 */
export async function runImport(options: ImportOptions): Promise<ImportSummary> {
  const importer = new Importer(options);
  const { journal, workspaceId, watchIntervalMs } = options;
  const watching = watchIntervalMs !== undefined;
  /** Path → signature of files seen but not yet imported (watch: stability check). */
  let seen = new Map<string, string>();
  /** Path → signature at which a file failed, so a broken file is reported once. */
  const failed = new Map<string, string>();
  const counted = new Set<string>();

  for (;;) {
    let files: ExportFile[];
    try {
      files = await listExportFiles(options.root, options.eventType);
    } catch (error) {
      // The root itself is unreadable: nothing to import, and the user must hear why.
      if (!watching) throw error;
      files = [];
    }
    const pending = files.filter(
      (file) => !journal.has(workspaceId, file) && failed.get(file.path) !== signature(file),
    );
    const ready = watching
      ? pending.filter((file) => seen.get(file.path) === signature(file))
      : pending;
    const fresh = files.filter((file) => !counted.has(file.path));
    fresh.forEach((file) => counted.add(file.path));
    const alreadyImported = fresh.filter((file) => journal.has(workspaceId, file)).length;
    importer.found(fresh.length, alreadyImported);
    seen = new Map(pending.map((file) => [file.path, signature(file)]));

    for (const file of ready) {
      if (options.signal?.aborted) break;
      if (file.eventType === undefined && file.format === 'avro') {
        failed.set(file.path, signature(file));
        importer.fail(
          `${file.path}: cannot tell its event type: put it under an event_type=<type> folder or pass --event-type`,
        );
        continue;
      }
      const ok = await importer.importFile(file);
      if (!ok && !importer.summary.interrupted) failed.set(file.path, signature(file));
    }

    if (!watching || options.signal?.aborted) break;
    try {
      await sleep(watchIntervalMs, undefined, { signal: options.signal });
    } catch {
      break; // aborted while waiting: the normal end of --watch
    }
  }
  // Stopping --watch is how it ends, not an interruption; a one-shot run stopped early is.
  if (!watching && options.signal?.aborted) importer.summary.interrupted = true;
  return importer.summary;
}

const COLUMNS = ['accepted', 'duplicates', 'ignored', 'conflicts', 'rejected'] as const;

/** The summary as a plain-text table, one row per event type and a total row. */
export function formatSummary(summary: ImportSummary): string {
  const rows: string[][] = [['event_type', ...COLUMNS]];
  const total = { accepted: 0, duplicates: 0, ignored: 0, conflicts: 0, rejected: 0 };
  for (const [eventType, counts] of summary.byType) {
    rows.push([eventType, ...COLUMNS.map((column) => String(counts[column]))]);
    for (const column of COLUMNS) total[column] += counts[column];
  }
  rows.push(['total', ...COLUMNS.map((column) => String(total[column]))]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const table = rows.map((row) =>
    row
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  '),
  );
  const lines = [
    `files: ${summary.filesImported} imported, ${summary.filesSkipped} already imported, ${summary.failures.length} failed`,
    `events read: ${summary.events}`,
    ...table,
  ];
  for (const [eventType, counts] of summary.byType) {
    for (const sample of counts.samples) lines.push(`rejected ${eventType}: ${sample}`);
  }
  for (const failure of summary.failures) lines.push(`failed: ${failure}`);
  if (summary.interrupted) {
    lines.push('interrupted: run the same command again to import the rest');
  }
  return `${lines.join('\n')}\n`;
}
