/**
 * Re-derivation (domain/rules-version.ts): when the file's rows were derived under older rules,
 * every stored event is counted again from its payload under the current ones, before the store
 * serves anything.
 *
 * The start is one transaction: `events` is renamed to `rederive_queue` (its rows keep their
 * insertion order as rowids), an empty `events` is made from the same DDL, and every derived
 * table is emptied. Then batches move from the queue through the normal ingest path, each batch
 * and the removal of its rows from the queue one transaction. Interrupted anywhere, the file
 * holds every event exactly once, in `events` or in the queue, and the next open resumes. The
 * version is recorded with the queue's removal, last.
 */
import type { Statement } from 'better-sqlite3';
import { rederive, type DerivationRules } from '../../domain/rules-version.js';
import type { RederiveProgress } from '../store.js';
import { STORED_EVENT_COLUMNS, storedEventOf, type StoredEventRow } from '../stored-event-row.js';
import type { Batch, Ingester } from './ingest.js';
import { DERIVED_TABLES, type Db } from './schema.js';

const QUEUE = 'rederive_queue';
/** Events per transaction: bounds memory and how long the write lock is held. */
const BATCH = 5_000;

interface QueuedRow extends StoredEventRow {
  seq: number;
  ws: string;
}

export function rederiveIfNeeded(
  db: Db,
  ingester: Ingester,
  rules: DerivationRules,
  onProgress: (progress: RederiveProgress) => void = () => {},
): void {
  const stored = db.prepare('SELECT rules_version FROM derivation').pluck().get() as number;
  if (stored > rules.version) {
    throw new Error(
      `tally.db was derived under rules version ${stored}; this Tally knows up to ${rules.version}. Upgrade Tally.`,
    );
  }
  if (stored === rules.version && !queueExists(db)) return;
  db.transaction(() => {
    if (!queueExists(db)) startQueue(db);
  }).immediate();

  const total = db.prepare(`SELECT count(*) FROM ${QUEUE}`).pluck().get() as number;
  const next = db.prepare<[number], QueuedRow>(
    `SELECT rowid AS seq, ws, ${STORED_EVENT_COLUMNS} FROM ${QUEUE} ORDER BY rowid LIMIT ?`,
  );
  const remove: Statement<[number]> = db.prepare(`DELETE FROM ${QUEUE} WHERE rowid <= ?`);
  const step = db.transaction((): number => {
    const rows = next.all(BATCH);
    if (rows.length === 0) return 0;
    const settled = ingester.storeNow(batchesOf(rows, rules));
    const failed = settled.find((outcome) => !outcome.ok);
    // Nothing of this batch is kept then, and the queue still holds it: nothing is lost.
    if (failed && !failed.ok) throw failed.error;
    remove.run(rows[rows.length - 1]!.seq);
    return rows.length;
  });
  let done = 0;
  onProgress({ rulesVersion: rules.version, done, total });
  for (let n = step.immediate(); n > 0; n = step.immediate()) {
    done += n;
    onProgress({ rulesVersion: rules.version, done, total });
  }
  db.transaction(() => {
    db.exec(`DROP TABLE ${QUEUE}`);
    db.prepare('UPDATE derivation SET rules_version = ?').run(rules.version);
  }).immediate();
}

function queueExists(db: Db): boolean {
  return (
    db
      .prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?")
      .pluck()
      .get(QUEUE) === 1
  );
}

/** `events` becomes the queue; a new, empty `events` and empty derived tables replace it. */
function startQueue(db: Db): void {
  const ddl = db
    .prepare<[], { type: string; name: string; sql: string }>(
      "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'events' AND sql IS NOT NULL ORDER BY type DESC",
    )
    .all();
  db.exec(`ALTER TABLE events RENAME TO ${QUEUE}`);
  // The indexes moved with the table; the queue needs none of them, and `events` needs its own.
  for (const { type, name } of ddl) if (type === 'index') db.exec(`DROP INDEX ${name}`);
  for (const { sql } of ddl) db.exec(sql);
  for (const table of DERIVED_TABLES) db.exec(`DELETE FROM ${table}`);
}

/** The queued rows under the rules, as consecutive per-workspace batches in stored order. */
function batchesOf(rows: readonly QueuedRow[], rules: DerivationRules): Batch[] {
  const batches: { workspaceId: string; events: ReturnType<typeof rederive>[] }[] = [];
  for (const row of rows) {
    const event = rederive(rules, storedEventOf(row));
    const last = batches[batches.length - 1];
    if (last?.workspaceId === row.ws) last.events.push(event);
    else batches.push({ workspaceId: row.ws, events: [event] });
  }
  return batches;
}
