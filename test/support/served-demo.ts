/**
 * The demo's data in a store, served by a real app on a loopback port, with a key of every
 * permission: what the browser tests, the screenshots and the dashboard benchmark look at.
 */
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.js';
import { createApiKey } from '../../src/api/keys.js';
import { installDemo } from '../../src/cli/demo/load.js';
import type { DemoOptions } from '../../src/cli/demo/generator.js';
import { PERMISSIONS } from '../../src/domain/permissions.js';
import type { Store, Workspace } from '../../src/store/store.js';

export interface ServedDemo {
  readonly app: FastifyInstance;
  readonly baseUrl: string;
  readonly workspace: Workspace;
  /** Every permission. */
  readonly key: string;
  /** Stops the app, then closes the store. */
  close(): Promise<void>;
}

export async function serveDemo(store: Store, demo: DemoOptions): Promise<ServedDemo> {
  const { workspace } = await installDemo(store, demo, () => {});
  const key = await createApiKey(store, workspace.id, PERMISSIONS);
  const app = await buildApp({ store });
  const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    app,
    baseUrl,
    workspace,
    key,
    async close() {
      await app.close();
      await store.close();
    },
  };
}
