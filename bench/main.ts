/**
 * `npm run bench [-- --only ingest,series,mixed,dashboard,live,explain] [--ingest-events N]
 * [--series-events N] [--dashboard-events N] [--live-checkpoints 1000000,5000000]
 * [--explain-events N]
 * [--store sqlite|clickhouse]`
 */
import { parseArgs } from 'node:util';
import { runBenchmarks } from './run.js';

const { values } = parseArgs({
  options: {
    only: { type: 'string', default: 'ingest,series' },
    'ingest-events': { type: 'string', default: '5000000' },
    'series-events': { type: 'string', default: '1000000' },
    'dashboard-events': { type: 'string', default: '1000000' },
    'explain-events': { type: 'string' },
    'live-checkpoints': { type: 'string' },
    store: { type: 'string', default: 'sqlite' },
  },
});
if (values.store !== 'sqlite' && values.store !== 'clickhouse') {
  throw new Error(`--store must be sqlite or clickhouse (got ${values.store})`);
}
await runBenchmarks({
  only: new Set(values.only.split(',')),
  ingestEvents: Number(values['ingest-events']),
  seriesEvents: Number(values['series-events']),
  dashboardEvents: Number(values['dashboard-events']),
  ...(values['explain-events'] ? { explainEvents: Number(values['explain-events']) } : {}),
  ...(values['live-checkpoints']
    ? { liveCheckpoints: values['live-checkpoints'].split(',').map(Number) }
    : {}),
  store: values.store,
});
