/** Workspaces (SPEC §1) and hashed API keys (SPEC §6). */
import type { Statement } from 'better-sqlite3';
import { keyIdOf, type ApiKeyInfo, type NewKeyDetails } from '../../domain/api-key.js';
import type { Permission } from '../../domain/permissions.js';
import type { ApiKeyGrant, Workspace } from '../store.js';
import { checkZone, newWorkspace, workspaceOf, type WorkspaceRow } from '../workspace-rows.js';
import type { Db } from './schema.js';

/** The columns as WorkspaceRow names them. */
const WORKSPACE_COLUMNS =
  'id, name AS latest_name, timezone AS latest_timezone, created_at_ms AS created';

const KEY_COLUMNS =
  'key_hash, workspace_id, permissions, prefix, created_at_ms, last_used_ms, expires_at_ms, revoked_at_ms';

interface KeyRow {
  key_hash: string;
  workspace_id: string;
  permissions: string;
  prefix: string;
  created_at_ms: number | null;
  last_used_ms: number | null;
  expires_at_ms: number | null;
  revoked_at_ms: number | null;
}

function keyInfo(row: KeyRow): ApiKeyInfo {
  return {
    id: keyIdOf(row.key_hash),
    workspaceId: row.workspace_id,
    prefix: row.prefix,
    permissions: JSON.parse(row.permissions) as Permission[],
    createdAtMs: row.created_at_ms,
    lastUsedMs: row.last_used_ms,
    expiresAtMs: row.expires_at_ms,
    revokedAtMs: row.revoked_at_ms,
  };
}

export class Workspaces {
  private readonly insert: Statement;
  private readonly byId: Statement<[string], WorkspaceRow>;
  private readonly byName: Statement<[string], WorkspaceRow>;
  private readonly updateZone: Statement<[string, string]>;
  private readonly insertKey: Statement;
  private readonly keyByHash: Statement<[string], KeyRow>;
  private readonly keysOf: Statement<[string], KeyRow>;
  private readonly allWorkspaces: Statement<[], WorkspaceRow>;
  private readonly revoke: Statement<[number, string]>;
  private readonly use: Statement<[number, string]>;

  constructor(db: Db) {
    this.insert = db.prepare(
      'INSERT INTO workspaces (id, name, timezone, created_at_ms) VALUES (?, ?, ?, ?)',
    );
    this.byId = db.prepare(`SELECT ${WORKSPACE_COLUMNS} FROM workspaces WHERE id = ?`);
    this.byName = db.prepare(`SELECT ${WORKSPACE_COLUMNS} FROM workspaces WHERE name = ?`);
    this.updateZone = db.prepare('UPDATE workspaces SET timezone = ? WHERE id = ?');
    this.insertKey = db.prepare(
      `INSERT OR REPLACE INTO api_keys
         (key_hash, workspace_id, permissions, prefix, created_at_ms, expires_at_ms)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.keyByHash = db.prepare(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE key_hash = ?`);
    this.keysOf = db.prepare(
      `SELECT ${KEY_COLUMNS} FROM api_keys WHERE workspace_id = ?
       ORDER BY coalesce(created_at_ms, 0), key_hash`,
    );
    this.allWorkspaces = db.prepare(
      `SELECT ${WORKSPACE_COLUMNS} FROM workspaces ORDER BY created_at_ms, name`,
    );
    this.revoke = db.prepare(
      'UPDATE api_keys SET revoked_at_ms = coalesce(revoked_at_ms, ?) WHERE key_hash = ?',
    );
    this.use = db.prepare(
      'UPDATE api_keys SET last_used_ms = max(coalesce(last_used_ms, 0), ?) WHERE key_hash = ?',
    );
    this.allKeys = db.prepare(`SELECT ${KEY_COLUMNS} FROM api_keys`);
  }

  /** A handful of keys per deployment: found by id (domain/api-key.ts) in a scan. */
  private readonly allKeys: Statement<[], KeyRow>;

  list(): Workspace[] {
    return this.allWorkspaces.all().map(workspaceOf);
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

  saveKey(
    workspaceId: string,
    keyHash: string,
    permissions: readonly Permission[],
    details: NewKeyDetails | undefined,
  ): void {
    this.zoneOf(workspaceId);
    this.insertKey.run(
      keyHash,
      workspaceId,
      JSON.stringify(permissions),
      details?.prefix ?? '',
      details?.createdAtMs ?? null,
      details?.expiresAtMs ?? null,
    );
  }

  findKey(keyHash: string): ApiKeyGrant | undefined {
    const row = this.keyByHash.get(keyHash);
    if (!row || row.revoked_at_ms !== null) return undefined;
    const { workspaceId, permissions, expiresAtMs } = keyInfo(row);
    return { workspaceId, permissions, expiresAtMs };
  }

  listKeys(workspaceId: string): ApiKeyInfo[] {
    return this.keysOf.all(workspaceId).map(keyInfo);
  }

  revokeKey(keyId: string, nowMs: number): ApiKeyInfo | undefined {
    const row = this.allKeys.all().find((key) => keyIdOf(key.key_hash) === keyId);
    if (!row) return undefined;
    this.revoke.run(nowMs, row.key_hash);
    return keyInfo(this.keyByHash.get(row.key_hash)!);
  }

  recordUse(keyHash: string, nowMs: number): void {
    this.use.run(nowMs, keyHash);
  }
}
