/**
 * `tally bench`: the same benchmarks as `npm run bench` (bench/run.ts), from an installed CLI.
 * Loaded only when run: it pulls in autocannon and the load generators.
 */
import { Option, type Command } from 'commander';
import { integerIn } from '../common.js';

interface BenchFlags {
  readonly only: string;
  readonly ingestEvents: number;
  readonly seriesEvents: number;
  readonly dashboardEvents: number;
  readonly explainEvents?: number;
  readonly store: 'sqlite' | 'clickhouse';
}

/** bench/run.ts's entry point, as this command calls it. */
type RunBenchmarks = (options: {
  readonly only: ReadonlySet<string>;
  readonly ingestEvents: number;
  readonly seriesEvents: number;
  readonly dashboardEvents: number;
  readonly explainEvents?: number;
  readonly store: 'sqlite' | 'clickhouse';
}) => Promise<void>;

export function registerBenchCommand(program: Command): void {
  program
    .command('bench')
    .description('measure ingest and data_series speed beside ceilings measured in the same run')
    .addOption(
      new Option(
        '--only <list>',
        'comma-separated: ingest, series, mixed, dashboard, live, explain',
      ).default('ingest,series'),
    )
    .addOption(
      new Option('--ingest-events <n>', 'events to ingest over HTTP')
        .argParser(integerIn(1, 100_000_000))
        .default(5_000_000),
    )
    .addOption(
      new Option('--series-events <n>', 'events in the data_series campaign')
        .argParser(integerIn(1, 100_000_000))
        .default(1_000_000),
    )
    .addOption(
      new Option('--dashboard-events <n>', 'events of the demo the dashboard is measured on')
        .argParser(integerIn(1, 100_000_000))
        .default(1_000_000),
    )
    .addOption(
      new Option(
        '--explain-events <n>',
        'events the explain benchmark reads (default 1,000,000 embedded, 10,000,000 ClickHouse)',
      ).argParser(integerIn(1, 100_000_000)),
    )
    .addOption(
      new Option(
        '--store <kind>',
        'store to measure (clickhouse: one local node started for the run)',
      )
        .choices(['sqlite', 'clickhouse'])
        .default('sqlite'),
    )
    .action(async (flags: BenchFlags) => {
      // Resolved at run time, not compiled in: the benchmarks (and the dev dependencies they
      // need) are not part of the production build (tsconfig.build.json, Dockerfile).
      const runner = new URL('../../../bench/run.js', import.meta.url).href;
      const { runBenchmarks } = (await import(runner)) as { runBenchmarks: RunBenchmarks };
      await runBenchmarks({
        only: new Set(flags.only.split(',')),
        ingestEvents: flags.ingestEvents,
        seriesEvents: flags.seriesEvents,
        dashboardEvents: flags.dashboardEvents,
        ...(flags.explainEvents === undefined ? {} : { explainEvents: flags.explainEvents }),
        store: flags.store,
      });
    });
}
