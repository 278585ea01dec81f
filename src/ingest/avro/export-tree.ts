/**
 * Finding the files of a Braze Currents export. A Currents storage sink writes
 *   <prefix>/event_type=<type>/date=YYYY-MM-DD-HH/<...>.avro
 * and the records carry no event type, so the `event_type=` folder is what names it.
 * NDJSON files (one event per line, each with its own `event_type`) are accepted too.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, extname, resolve, sep } from 'node:path';

export type ExportFormat = 'avro' | 'ndjson';

export interface ExportFile {
  /** Absolute path. */
  readonly path: string;
  readonly format: ExportFormat;
  /** From the nearest `event_type=<type>` folder, else the caller's fallback; may be absent. */
  readonly eventType: string | undefined;
  readonly size: number;
  readonly mtimeMs: number;
}

const FORMATS: Readonly<Record<string, ExportFormat>> = {
  '.avro': 'avro',
  '.ndjson': 'ndjson',
  '.jsonl': 'ndjson',
};

const EVENT_TYPE_FOLDER = 'event_type=';

/** The path given to import is missing or is not something an export is made of. */
export class ExportPathError extends Error {}

export function formatOf(path: string): ExportFormat | undefined {
  const extension = extname(path).toLowerCase();
  return Object.hasOwn(FORMATS, extension) ? FORMATS[extension] : undefined;
}

/** The event type named by the innermost `event_type=<type>` folder of the path, if any. */
export function eventTypeFromPath(path: string): string | undefined {
  const folders = resolve(path).split(sep).slice(0, -1).reverse();
  const folder = folders.find((name) => name.startsWith(EVENT_TYPE_FOLDER));
  const type = folder?.slice(EVENT_TYPE_FOLDER.length);
  return type === '' ? undefined : type;
}

async function walk(dir: string, into: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    // Hidden files are a sink's or a sync tool's temporaries (`.part`, `.crc`), never events.
    if (entry.name.startsWith('.')) continue;
    const path = resolve(dir, entry.name);
    if (entry.isDirectory()) await walk(path, into);
    else if (entry.isFile() && formatOf(entry.name) !== undefined) into.push(path);
  }
}

/**
 * The event files under `root` (a folder, walked recursively, or one file), sorted by path so
 * an export is read in hour order. `fallbackEventType` names the type of files outside any
 * `event_type=` folder (the CLI's `--event-type`).
 */
export async function listExportFiles(
  root: string,
  fallbackEventType?: string,
): Promise<ExportFile[]> {
  const absolute = resolve(root);
  const info = await stat(absolute).catch((error: NodeJS.ErrnoException) => {
    throw new ExportPathError(
      error.code === 'ENOENT'
        ? `${absolute}: no such file or folder`
        : `${absolute}: ${error.message}`,
    );
  });
  let paths: string[];
  if (info.isDirectory()) {
    paths = [];
    await walk(absolute, paths);
    paths.sort();
  } else {
    if (formatOf(absolute) === undefined) {
      throw new ExportPathError(
        `${absolute}: not an export file (expected .avro, .ndjson or .jsonl)`,
      );
    }
    paths = [absolute];
  }
  const files: ExportFile[] = [];
  for (const path of paths) {
    // A file may vanish between listing and stat (a sink replacing a temporary): skip it.
    const fileInfo = await stat(path).catch(() => undefined);
    if (fileInfo === undefined) continue;
    files.push({
      path,
      format: formatOf(basename(path))!,
      eventType: eventTypeFromPath(path) ?? fallbackEventType,
      size: fileInfo.size,
      mtimeMs: fileInfo.mtimeMs,
    });
  }
  return files;
}
