/** Workspaces (SPEC §1) and hashed API keys (SPEC §6), as versioned rows (version.ts). */
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
const KEY_SQL = `SELECT argMax(workspace_id, version) AS workspace_id,
  argMax(permissions, version) AS permissions
FROM api_keys WHERE key_hash = (SELECT key_hash FROM p) GROUP BY key_hash`;

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

  async saveKey(
    workspaceId: string,
    keyHash: string,
    permissions: readonly Permission[],
  ): Promise<void> {
    await this.require(workspaceId);
    await this.db.insert('api_keys', [
      { key_hash: keyHash, workspace_id: workspaceId, permissions, version: nextVersion() },
    ]);
  }

  async findKey(keyHash: string): Promise<ApiKeyGrant | undefined> {
    const [row] = await this.db.query<{ workspace_id: string; permissions: Permission[] }>(
      KEY_SQL,
      [params({ key_hash: ['String', keyHash] })],
    );
    return row && { workspaceId: row.workspace_id, permissions: row.permissions };
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
