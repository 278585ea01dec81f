/** What both stores' workspace tables (SPEC §1) share: the row they read and the rules. */
import { randomBytes } from 'node:crypto';
import { isValidTimeZone } from '../domain/time.js';
import type { Workspace } from './store.js';

/**
 * A workspace as both stores select it. The names are not the columns': a ClickHouse alias
 * would shadow its column in WHERE, and the ClickHouse store reads the latest version.
 */
export interface WorkspaceRow {
  id: string;
  latest_name: string;
  latest_timezone: string;
  created: number;
}

export const workspaceOf = (row: WorkspaceRow): Workspace => ({
  id: row.id,
  name: row.latest_name,
  timezone: row.latest_timezone,
  createdAtMs: row.created,
});

export function checkZone(timezone: string): void {
  if (!isValidTimeZone(timezone)) throw new Error(`unknown time zone ${JSON.stringify(timezone)}`);
}

/** A new workspace with a fresh id; the caller has checked the zone and that the name is free. */
export function newWorkspace(name: string, timezone: string): Workspace {
  return {
    id: `ws_${randomBytes(8).toString('hex')}`,
    name,
    timezone,
    createdAtMs: Date.now(),
  };
}
