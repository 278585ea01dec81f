/**
 * A Tally API process for benchmarks, run as a child so that the load generator does not share
 * its event loop: `node server.js DATA_DIR` (embedded store) or `node server.js --clickhouse URL
 * DATABASE` prints `listening <port>` when ready.
 * Rate limits are raised: the benchmark measures the server, not the limiter refusing it.
 */
import { buildApp } from '../src/api/app.js';
import { openClickHouseStore } from '../src/store/clickhouse/clickhouse-store.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';

const UNLIMITED = { limit: 1_000_000_000, windowMs: 60_000 };

const [dataDir, url, database] = process.argv.slice(2);
if (!dataDir || (dataDir === '--clickhouse' && (!url || !database))) {
  throw new Error('usage: server.js DATA_DIR | server.js --clickhouse URL DATABASE');
}
const store =
  dataDir === '--clickhouse'
    ? await openClickHouseStore({ url: url!, database: database! })
    : await openSqliteStore({ dataDir, backgroundCheckpoints: true });
const app = await buildApp({
  store,
  logger: false,
  limits: { dataSeries: UNLIMITED, default: UNLIMITED, sendIdCreate: UNLIMITED },
});
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
console.log(`listening ${typeof address === 'object' && address ? address.port : ''}`);
process.on('SIGTERM', () => {
  void app
    .close()
    .then(() => store.close())
    .then(() => process.exit(0));
});
