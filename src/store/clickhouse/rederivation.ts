/**
 * Re-derivation on ClickHouse (domain/rules-version.ts): when the derived tables were computed
 * under older rules, every stored event is counted again from its payload, before the store
 * serves anything. The phases are logged in `rules_state`, so a process that stops anywhere
 * resumes where it stopped, and every step may run twice:
 * - `copied`: each node copied its `events` rows into `rederive_source` (done under the old
 *   state, so an interrupted copy is simply made again from the intact `events`);
 * - `cleared`: each node's `events` and derived tables are empty (a truncation may repeat);
 * - then every source row goes through the normal ingest (ingest.ts). A resumed pass sends the
 *   rows again, and the duplicate check skips those already stored; a copy an earlier process
 *   raced in is skipped the same way. `done` is logged last, and the sources dropped after.
 */
import { rederive, type DerivationRules } from '../../domain/rules-version.js';
import type { NormalizedEvent } from '../../domain/event.js';
import type { RederiveProgress } from '../store.js';
import { STORED_EVENT_COLUMNS, storedEventOf, type StoredEventRow } from '../stored-event-row.js';
import type { ClickHouseHttp } from './http.js';
import { ingestEvents } from './ingest.js';
import { DERIVED_TABLES, RULES_STATE } from './schema.js';
import { localName, type Layout } from './tables.js';
import { nextVersion } from './version.js';

const SOURCE = 'rederive_source';
/** Events per ingest call while re-deriving. */
const BATCH = 5_000;

interface State {
  readonly version: number;
  readonly phase: 'done' | 'copied' | 'cleared';
}

interface SourceRow extends StoredEventRow {
  workspace_id: string;
}

export interface RederiveTarget {
  /** The store's connection (through Distributed tables on a cluster). */
  readonly db: ClickHouseHttp;
  /** Each node's own connection: sources and truncations are per node. */
  readonly nodes: readonly ClickHouseHttp[];
  readonly layout: Layout;
}

export async function rederiveIfNeeded(
  target: RederiveTarget,
  rules: DerivationRules,
  onProgress: (progress: RederiveProgress) => void = () => {},
): Promise<void> {
  const { db, nodes, layout } = target;
  let state = await readState(db);
  if (state.version > rules.version) {
    throw new Error(
      `the ClickHouse tables were derived under rules version ${state.version}; this Tally knows up to ${rules.version}. Upgrade Tally.`,
    );
  }
  if (state.version === rules.version && state.phase === 'done') {
    // A process that stopped after logging `done` may have left its sources behind.
    for (const node of nodes) await node.exec(`DROP TABLE IF EXISTS ${SOURCE}`);
    return;
  }
  const events = localName('events', layout);
  if (state.phase === 'done' && (await storesNoEvent(db))) {
    await logState(db, { version: rules.version, phase: 'done' });
    return;
  }
  if (state.phase === 'done') {
    for (const node of nodes) {
      await node.exec(`DROP TABLE IF EXISTS ${SOURCE}`);
      await node.exec(`CREATE TABLE ${SOURCE} AS ${events}`);
      await node.exec(`INSERT INTO ${SOURCE} SELECT * FROM ${events}`);
    }
    state = await logState(db, { version: rules.version, phase: 'copied' });
  }
  if (state.phase === 'copied') {
    for (const node of nodes) {
      for (const table of ['events', ...DERIVED_TABLES]) {
        await node.exec(`TRUNCATE TABLE ${localName(table, layout)}`);
      }
    }
    await logState(db, { version: rules.version, phase: 'cleared' });
  }
  await reingest(target, rules, onProgress);
  await logState(db, { version: rules.version, phase: 'done' });
  for (const node of nodes) await node.exec(`DROP TABLE IF EXISTS ${SOURCE}`);
}

async function storesNoEvent(db: ClickHouseHttp): Promise<boolean> {
  const [row] = await db.query<{ n: number }>('SELECT count() AS n FROM events');
  return Number(row?.n ?? 0) === 0;
}

async function readState(db: ClickHouseHttp): Promise<State> {
  const [row] = await db.query<State>(
    `SELECT version, phase FROM ${RULES_STATE.name} ORDER BY at_us DESC LIMIT 1`,
  );
  return row ?? { version: 1, phase: 'done' };
}

async function logState(db: ClickHouseHttp, state: State): Promise<State> {
  await db.insert(RULES_STATE.name, [{ ...state, at_us: nextVersion() }]);
  return state;
}

/** Every source row of every node, through the normal ingest, a batch at a time. */
async function reingest(
  { db, nodes }: RederiveTarget,
  rules: DerivationRules,
  onProgress: (progress: RederiveProgress) => void,
): Promise<void> {
  let total = 0;
  for (const node of nodes) {
    const [row] = await node.query<{ n: number }>(`SELECT count() AS n FROM ${SOURCE}`);
    total += Number(row?.n ?? 0);
  }
  let done = 0;
  onProgress({ rulesVersion: rules.version, done, total });
  const flush = async (rows: SourceRow[]) => {
    for (const [workspaceId, events] of byWorkspace(rows, rules)) {
      await ingestEvents(db, workspaceId, events);
    }
    done += rows.length;
    onProgress({ rulesVersion: rules.version, done, total });
  };
  for (const node of nodes) {
    let rows: SourceRow[] = [];
    const sql = `SELECT workspace_id, ${STORED_EVENT_COLUMNS} FROM ${SOURCE}`;
    for await (const row of node.stream<SourceRow>(sql)) {
      rows.push(row);
      if (rows.length === BATCH) {
        await flush(rows);
        rows = [];
      }
    }
    if (rows.length > 0) await flush(rows);
  }
}

function byWorkspace(
  rows: readonly SourceRow[],
  rules: DerivationRules,
): Map<string, NormalizedEvent[]> {
  const batches = new Map<string, NormalizedEvent[]>();
  for (const row of rows) {
    const event = rederive(rules, storedEventOf(row));
    const events = batches.get(row.workspace_id) ?? [];
    events.push(event);
    batches.set(row.workspace_id, events);
  }
  return batches;
}
