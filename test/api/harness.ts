/**
 * A real app over a real SQLite store in a temp dir, with one workspace and keys per
 * permission set. Not a test itself: test files build one in `before` and close it in `after`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from '../../src/api/app.js';
import { createApiKey } from '../../src/api/keys.js';
import { PERMISSIONS, type Permission } from '../../src/domain/permissions.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store, Workspace } from '../../src/store/store.js';

export interface Harness {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly workspace: Workspace;
  /** A key with every permission. */
  readonly key: string;
  /** A new key of the harness workspace with exactly these permissions. */
  keyWith(permissions: readonly Permission[]): Promise<string>;
  close(): Promise<void>;
}

export async function startHarness(
  options: Omit<AppOptions, 'store'> & {
    timezone?: string;
    /** Another store than a fresh SQLite file (e.g. ClickHouse); the harness closes it. */
    openStore?: () => Promise<Store>;
  } = {},
): Promise<Harness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tally-api-'));
  const store = await (options.openStore ?? (() => openSqliteStore({ dataDir })))();
  const workspace = await store.createWorkspace('acme', options.timezone ?? 'UTC');
  const key = await createApiKey(store, workspace.id, PERMISSIONS);
  const app = await buildApp({ ...options, store });
  return {
    app,
    store,
    workspace,
    key,
    keyWith: (permissions) => createApiKey(store, workspace.id, permissions),
    async close() {
      await app.close();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const bearer = (key: string): Record<string, string> => ({ authorization: `Bearer ${key}` });
