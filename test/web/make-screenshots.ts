/**
 * `npm run screenshots`: the dashboard's screenshots in docs/images (shown in the README), made
 * by the browser test's own code (screenshots.ts) over a fresh 200,000-event demo.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../src/api/app.js';
import { createApiKey } from '../../src/api/keys.js';
import { installDemo } from '../../src/cli/demo/load.js';
import { PERMISSIONS } from '../../src/domain/permissions.js';
import { formatDay } from '../../src/domain/time.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { launchChromium } from '../support/browser.js';
import { takeDashboardScreenshots } from './screenshots.js';

const DOCS_IMAGES = join('docs', 'images');
const endDay = Math.floor(Date.now() / 86_400_000);
const dataDir = mkdtempSync(join(tmpdir(), 'tally-screenshots-'));
const store = await openSqliteStore({ dataDir });
try {
  const { workspace } = await installDemo(store, { seed: 1, endDay, events: 200_000 }, () => {});
  const key = await createApiKey(store, workspace.id, PERMISSIONS);
  const app = await buildApp({ store });
  const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  const browser = await launchChromium();
  try {
    mkdirSync(DOCS_IMAGES, { recursive: true });
    const files = await takeDashboardScreenshots(
      browser,
      baseUrl,
      key,
      DOCS_IMAGES,
      formatDay(endDay),
    );
    console.log(`wrote ${files.join(', ')}`);
  } finally {
    await browser.close();
    await app.close();
  }
} finally {
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
}
