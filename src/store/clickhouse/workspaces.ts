/** Workspaces (SPEC §1) and hashed API keys (SPEC §6), as versioned rows (version.ts). */
import { keyIdOf, type ApiKeyInfo, type NewKeyDetails } from '../../domain/api-key.js';
import type { Permission } from '../../domain/permissions.js';
import type { ApiKeyGrant, Workspace } from '../store.js';
import { checkZone, newWorkspace, workspaceOf, type WorkspaceRow } from '../workspace-rows.js';
import { params, type ClickHouseHttp } from './http.js';
import { nextVersion } from './version.js';

/** Output names differ from the columns: a ClickHouse alias would shadow its column in WHERE. */
const WORKSPACE_COLUMNS = `id, argMax(name, version) AS latest_name,
  argMax(timezone, version) AS latest_timezone, argMax(created_at_ms, version) AS created`;
const BY_ID_SQL = `SELECT ${WORKSPACE_COLUMNS} FROM workspaces WHERE id = (SELECT id FROM p) GROUP BY id`;
/** A name never changes, so every version of the workspace carries it. */
const BY_NAME_SQL = `SELECT ${WORKSPACE_COLUMNS} FROM workspaces WHERE name = (SELECT name FROM p)
  GROUP BY id ORDER BY created LIMIT 1`;
/**
 * Keys with their latest details and last use; `where` picks the keys. One join per level:
 * ClickHouse 18.16 takes one JOIN per SELECT.
 */
const keysSql = (where: string) => `
SELECT key_hash, workspace_id, permissions, prefix, created_ms, expires_ms, revoked_ms, used_ms
FROM (
  SELECT * FROM (
    SELECT key_hash, argMax(workspace_id, version) AS workspace_id,
      argMax(permissions, version) AS permissions
    FROM api_keys WHERE ${where} GROUP BY key_hash
  ) ANY LEFT JOIN (
    SELECT key_hash, argMax(prefix, version) AS prefix, argMax(created_ms, version) AS created_ms,
      argMax(expires_ms, version) AS expires_ms, argMax(revoked_ms, version) AS revoked_ms
    FROM api_key_details WHERE ${where} GROUP BY key_hash
  ) USING key_hash
) ANY LEFT JOIN (
  SELECT key_hash, max(used_ms) AS used_ms FROM api_key_uses WHERE ${where} GROUP BY key_hash
) USING key_hash
ORDER BY created_ms, key_hash`;
const KEY_SQL = keysSql('key_hash = (SELECT key_hash FROM p)');
const KEYS_OF_SQL = keysSql(
  'key_hash IN (SELECT key_hash FROM api_keys WHERE workspace_id = (SELECT ws FROM p))',
);
const ALL_KEYS_SQL = keysSql('1');
const ALL_WORKSPACES_SQL = `SELECT ${WORKSPACE_COLUMNS} FROM workspaces GROUP BY id ORDER BY created, latest_name`;

/** A missing details row reads as zeros and '' (no Nullable columns here): none. */
interface KeyRow {
  key_hash: string;
  workspace_id: string;
  permissions: Permission[];
  prefix: string;
  created_ms: number;
  expires_ms: number;
  revoked_ms: number;
  used_ms: number;
}

const orNull = (ms: number): number | null => (Number(ms) > 0 ? Number(ms) : null);

function keyInfo(row: KeyRow): ApiKeyInfo {
  return {
    id: keyIdOf(row.key_hash),
    workspaceId: row.workspace_id,
    prefix: row.prefix,
    permissions: row.permissions,
    createdAtMs: orNull(row.created_ms),
    lastUsedMs: orNull(row.used_ms),
    expiresAtMs: orNull(row.expires_ms),
    revokedAtMs: orNull(row.revoked_ms),
  };
}

export class Workspaces {
  constructor(private readonly db: ClickHouseHttp) {}

  /**
   * Refuses a taken name. Two processes creating the same name at the same instant could
   * both pass the check (ClickHouse has no unique constraint); findByName then answers the
   * earlier one. Workspaces are created by an operator, so this is documented, not locked.
   */
  async create(name: string, timezone: string): Promise<Workspace> {
    checkZone(timezone);
    if (await this.findByName(name)) {
      throw new Error(`a workspace named ${JSON.stringify(name)} exists`);
    }
    const workspace = newWorkspace(name, timezone);
    await this.write(workspace);
    return workspace;
  }

  async findByName(name: string): Promise<Workspace | undefined> {
    const [row] = await this.db.query<WorkspaceRow>(BY_NAME_SQL, [
      params({ name: ['String', name] }),
    ]);
    return row && workspaceOf(row);
  }

  async get(id: string): Promise<Workspace | undefined> {
    const [row] = await this.db.query<WorkspaceRow>(BY_ID_SQL, [params({ id: ['String', id] })]);
    return row && workspaceOf(row);
  }

  /** The workspace's reporting zone; throws for an unknown workspace. */
  async zoneOf(id: string): Promise<string> {
    return (await this.require(id)).timezone;
  }

  async setZone(id: string, timezone: string): Promise<void> {
    checkZone(timezone);
    await this.write({ ...(await this.require(id)), timezone });
  }

  async list(): Promise<Workspace[]> {
    return (await this.db.query<WorkspaceRow>(ALL_WORKSPACES_SQL)).map(workspaceOf);
  }

  async saveKey(
    workspaceId: string,
    keyHash: string,
    permissions: readonly Permission[],
    details: NewKeyDetails | undefined,
  ): Promise<void> {
    await this.require(workspaceId);
    // Details first: a key is never usable before its expiry is known.
    if (details) await this.writeDetails(keyHash, workspaceId, details, 0);
    await this.db.insert('api_keys', [
      { key_hash: keyHash, workspace_id: workspaceId, permissions, version: nextVersion() },
    ]);
  }

  async findKey(keyHash: string): Promise<ApiKeyGrant | undefined> {
    const [row] = await this.db.query<KeyRow>(KEY_SQL, [params({ key_hash: ['String', keyHash] })]);
    if (!row || orNull(row.revoked_ms) !== null) return undefined;
    const { workspaceId, permissions, expiresAtMs } = keyInfo(row);
    return { workspaceId, permissions, expiresAtMs };
  }

  async listKeys(workspaceId: string): Promise<ApiKeyInfo[]> {
    const rows = await this.db.query<KeyRow>(KEYS_OF_SQL, [
      params({ ws: ['String', workspaceId] }),
    ]);
    return rows.map(keyInfo);
  }

  async revokeKey(keyId: string, nowMs: number): Promise<ApiKeyInfo | undefined> {
    const row = (await this.db.query<KeyRow>(ALL_KEYS_SQL)).find(
      (key) => keyIdOf(key.key_hash) === keyId,
    );
    if (!row) return undefined;
    const key = keyInfo(row);
    if (key.revokedAtMs !== null) return key;
    const details = {
      prefix: key.prefix,
      createdAtMs: key.createdAtMs ?? 0,
      expiresAtMs: key.expiresAtMs,
    };
    await this.writeDetails(row.key_hash, row.workspace_id, details, nowMs);
    return { ...key, revokedAtMs: nowMs };
  }

  async recordUse(keyHash: string, nowMs: number): Promise<void> {
    await this.db.insert('api_key_uses', [{ key_hash: keyHash, used_ms: nowMs }]);
  }

  private async writeDetails(
    keyHash: string,
    workspaceId: string,
    details: NewKeyDetails,
    revokedMs: number,
  ): Promise<void> {
    await this.db.insert('api_key_details', [
      {
        key_hash: keyHash,
        workspace_id: workspaceId,
        prefix: details.prefix,
        created_ms: details.createdAtMs,
        expires_ms: details.expiresAtMs ?? 0,
        revoked_ms: revokedMs,
        version: nextVersion(),
      },
    ]);
  }

  private async require(id: string): Promise<Workspace> {
    const workspace = await this.get(id);
    if (!workspace) throw new Error(`unknown workspace ${id}`);
    return workspace;
  }

  private async write(workspace: Workspace): Promise<void> {
    await this.db.insert('workspaces', [
      {
        id: workspace.id,
        name: workspace.name,
        timezone: workspace.timezone,
        created_at_ms: workspace.createdAtMs,
        version: nextVersion(),
      },
    ]);
  }
}
