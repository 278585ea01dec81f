/** Workspaces (SPEC §1) and hashed API keys (SPEC §6). */
import type { Statement } from 'better-sqlite3';
import type { Permission } from '../../domain/permissions.js';
import type { ApiKeyGrant, Workspace } from '../store.js';
import { checkZone, newWorkspace, workspaceOf, type WorkspaceRow } from '../workspace-rows.js';
import type { Db } from './schema.js';

/** The columns as WorkspaceRow names them. */
const WORKSPACE_COLUMNS =
  'id, name AS latest_name, timezone AS latest_timezone, created_at_ms AS created';

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
    this.byId = db.prepare(`SELECT ${WORKSPACE_COLUMNS} FROM workspaces WHERE id = ?`);
    this.byName = db.prepare(`SELECT ${WORKSPACE_COLUMNS} FROM workspaces WHERE name = ?`);
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
    const workspace = newWorkspace(name, timezone);
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
    return row.latest_timezone;
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
