/** Workspaces (SPEC §1) and hashed API keys (SPEC §6). */
import type { Statement } from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import type { Permission } from '../../domain/permissions.js';
import { isValidTimeZone } from '../../domain/time.js';
import type { ApiKeyGrant, Workspace } from '../store.js';
import type { Db } from './schema.js';

interface WorkspaceRow {
  id: string;
  name: string;
  timezone: string;
  created_at_ms: number;
}

const workspaceOf = (row: WorkspaceRow): Workspace => ({
  id: row.id,
  name: row.name,
  timezone: row.timezone,
  createdAtMs: row.created_at_ms,
});

function checkZone(timezone: string): void {
  if (!isValidTimeZone(timezone)) throw new Error(`unknown time zone ${JSON.stringify(timezone)}`);
}

export class Workspaces {
  private readonly insert: Statement;
  private readonly byId: Statement<[string], WorkspaceRow>;
  private readonly byName: Statement<[string], WorkspaceRow>;
  private readonly updateZone: Statement<[string, string]>;
  private readonly insertKey: Statement;
  private readonly keyByHash: Statement<[string], { workspace_id: string; permissions: string }>;

  constructor(db: Db) {
    this.insert = db.prepare(
      'INSERT INTO workspaces (id, name, timezone, created_at_ms) VALUES (?, ?, ?, ?)',
    );
    this.byId = db.prepare('SELECT * FROM workspaces WHERE id = ?');
    this.byName = db.prepare('SELECT * FROM workspaces WHERE name = ?');
    this.updateZone = db.prepare('UPDATE workspaces SET timezone = ? WHERE id = ?');
    this.insertKey = db.prepare(
      'INSERT OR REPLACE INTO api_keys (key_hash, workspace_id, permissions) VALUES (?, ?, ?)',
    );
    this.keyByHash = db.prepare(
      'SELECT workspace_id, permissions FROM api_keys WHERE key_hash = ?',
    );
  }

  create(name: string, timezone: string): Workspace {
    checkZone(timezone);
    if (this.byName.get(name)) throw new Error(`a workspace named ${JSON.stringify(name)} exists`);
    const workspace = {
      id: `ws_${randomBytes(8).toString('hex')}`,
      name,
      timezone,
      createdAtMs: Date.now(),
    };
    this.insert.run(workspace.id, name, timezone, workspace.createdAtMs);
    return workspace;
  }

  findByName(name: string): Workspace | undefined {
    const row = this.byName.get(name);
    return row && workspaceOf(row);
  }

  get(id: string): Workspace | undefined {
    const row = this.byId.get(id);
    return row && workspaceOf(row);
  }

  /** The workspace's reporting zone; throws for an unknown workspace. */
  zoneOf(id: string): string {
    const row = this.byId.get(id);
    if (!row) throw new Error(`unknown workspace ${id}`);
    return row.timezone;
  }

  setZone(id: string, timezone: string): void {
    checkZone(timezone);
    if (this.updateZone.run(timezone, id).changes === 0) throw new Error(`unknown workspace ${id}`);
  }

  saveKey(workspaceId: string, keyHash: string, permissions: readonly Permission[]): void {
    this.zoneOf(workspaceId);
    this.insertKey.run(keyHash, workspaceId, JSON.stringify(permissions));
  }

  findKey(keyHash: string): ApiKeyGrant | undefined {
    const row = this.keyByHash.get(keyHash);
    return (
      row && {
        workspaceId: row.workspace_id,
        permissions: JSON.parse(row.permissions) as Permission[],
      }
    );
  }
}
