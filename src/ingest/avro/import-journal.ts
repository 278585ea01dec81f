/**
 * The record of export files already imported, so that a second `tally import` skips them.
 *
 * `<dataDir>/import-journal.ndjson`, one JSON line per imported file:
 *   {"workspace":"<id>","path":"/abs/file.avro","size":123,"mtimeMs":1767225600000,"events":5000,"importedAt":"..."}
 * Append-only: a Currents history holds one file per event type and hour, so months of it are
 * hundreds of thousands of files, and appending one line per file stays O(1) where rewriting a
 * JSON document would grow with the history. A file is keyed by workspace, absolute path, size
 * and mtime: a file that changes is imported again (its unchanged events count as duplicates).
 *
 * A line is appended only after every event of the file is durable in the store, so a crash
 * never marks a file that was not fully imported; a torn last line is ignored on reading.
 * Losing the journal costs time only: re-imported events deduplicate by id.
 */
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExportFile } from './export-tree.js';

export const JOURNAL_FILE = 'import-journal.ndjson';

interface JournalEntry {
  readonly workspace: string;
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly events: number;
  readonly importedAt: string;
}

const keyOf = (workspace: string, path: string, size: number, mtimeMs: number): string =>
  JSON.stringify([workspace, path, size, mtimeMs]);

function isEntry(value: unknown): value is JournalEntry {
  if (value === null || typeof value !== 'object') return false;
  const entry = value as Record<string, unknown>;
  return (
    typeof entry.workspace === 'string' &&
    typeof entry.path === 'string' &&
    typeof entry.size === 'number' &&
    typeof entry.mtimeMs === 'number'
  );
}

export class ImportJournal {
  private readonly imported = new Set<string>();
  private readonly path: string;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.path = join(dataDir, JOURNAL_FILE);
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    // Terminate a torn last line so the next entry does not glue onto it.
    if (text !== '' && !text.endsWith('\n')) appendFileSync(this.path, '\n');
    for (const line of text.split('\n')) {
      try {
        const entry: unknown = JSON.parse(line);
        if (isEntry(entry)) {
          this.imported.add(keyOf(entry.workspace, entry.path, entry.size, entry.mtimeMs));
        }
      } catch {
        // A blank or torn line (a crash mid-append): that file is simply imported again.
      }
    }
  }

  has(workspaceId: string, file: ExportFile): boolean {
    return this.imported.has(keyOf(workspaceId, file.path, file.size, file.mtimeMs));
  }

  record(workspaceId: string, file: ExportFile, events: number): void {
    const entry: JournalEntry = {
      workspace: workspaceId,
      path: file.path,
      size: file.size,
      mtimeMs: file.mtimeMs,
      events,
      importedAt: new Date().toISOString(),
    };
    appendFileSync(this.path, `${JSON.stringify(entry)}\n`);
    this.imported.add(keyOf(workspaceId, file.path, file.size, file.mtimeMs));
  }
}
