/**
 * `npm run screenshots`: the dashboard's screenshots in docs/images (shown in the README), made
 * by the browser test's own code (screenshots.ts) over a fresh 200,000-event demo.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatDay } from '../../src/domain/time.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { launchChromium } from '../support/browser.js';
import { serveDemo } from '../support/served-demo.js';
import { takeDashboardScreenshots } from './screenshots.js';

const DOCS_IMAGES = join('docs', 'images');
const endDay = Math.floor(Date.now() / 86_400_000);
const dataDir = mkdtempSync(join(tmpdir(), 'tally-screenshots-'));
const served = await serveDemo(await openSqliteStore({ dataDir }), {
  seed: 1,
  endDay,
  events: 200_000,
});
const browser = await launchChromium();
try {
  mkdirSync(DOCS_IMAGES, { recursive: true });
  const files = await takeDashboardScreenshots(
    browser,
    served.baseUrl,
    served.key,
    DOCS_IMAGES,
    formatDay(endDay),
  );
  console.log(`wrote ${files.join(', ')}`);
} finally {
  await browser.close();
  await served.close();
  rmSync(dataDir, { recursive: true, force: true });
}
