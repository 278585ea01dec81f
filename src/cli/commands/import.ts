/**
 * `tally import PATH --workspace NAME [--data DIR] [--event-type TYPE] [--watch]`: Braze Currents
 * history into a workspace (docs/import.md). The work is in ../import.ts; this module is the
 * terminal: flags, the progress bar on stderr, SIGINT, the summary on stdout and the exit code.
 */
import { MultiBar, Presets } from 'cli-progress';
import { Option, type Command } from 'commander';
import { ExportPathError } from '../../ingest/avro/export-tree.js';
import { ImportJournal } from '../../ingest/avro/import-journal.js';
import {
  CliError,
  withStoreOptions,
  integerIn,
  parsePort,
  requireWorkspace,
  withStore,
  type StoreFlags,
} from '../common.js';
import { formatSummary, runImport, type ImportProgress } from '../import.js';
import { ImportMetrics } from '../import-metrics.js';

interface ImportFlags extends StoreFlags {
  readonly workspace: string;
  readonly eventType?: string;
  readonly watch?: boolean;
  readonly pollMs: number;
  readonly metricsPort?: number;
}

/** Exit code of a run stopped by SIGINT before it read everything (the shell's 128 + SIGINT). */
const INTERRUPTED_EXIT_CODE = 130;

interface ProgressDisplay {
  update(progress: ImportProgress): void;
  /** A line for the user, printed above the bar rather than over it. */
  log(line: string): void;
  stop(): void;
}

/** Without a terminal (a pipe, a log file, a test) there is no bar, only the lines. */
const PLAIN: ProgressDisplay = {
  update() {},
  log(line) {
    process.stderr.write(`${line}\n`);
  },
  stop() {},
};

/** A progress bar on stderr: files, events and events/s. */
function progressBar(): ProgressDisplay {
  if (!process.stderr.isTTY) return PLAIN;
  const bars = new MultiBar(
    {
      stream: process.stderr,
      format: 'importing |{bar}| {value}/{total} files | {events} events | {rate} events/s',
      hideCursor: true,
    },
    Presets.shades_classic,
  );
  const bar = bars.create(0, 0, { events: 0, rate: 0 });
  const started = Date.now();
  return {
    update(progress) {
      const seconds = (Date.now() - started) / 1000;
      bar.setTotal(progress.filesTotal);
      bar.update(progress.filesDone, {
        events: progress.events,
        rate: seconds > 0 ? Math.round(progress.events / seconds) : 0,
      });
    },
    log(line) {
      bars.log(`${line}\n`);
    },
    stop() {
      bars.stop();
    },
  };
}

export function registerImportCommand(program: Command): void {
  const command = program
    .command('import')
    .description(
      'import a Braze Currents export (event_type=<type>/date=... folders of .avro files, one .avro file, or .ndjson)',
    )
    .argument('<path>', 'export folder or file')
    .requiredOption('--workspace <name>', 'workspace to import into')
    .option('--event-type <type>', 'event type of files outside any event_type=<type> folder')
    .option('--watch', 'keep importing new files as they appear, until Ctrl-C')
    .option(
      '--poll-ms <ms>',
      'with --watch: how often to look for new files',
      integerIn(10, 3_600_000),
      5_000,
    )
    .addOption(
      new Option('--metrics-port <port>', 'serve the progress as Prometheus gauges on 127.0.0.1')
        .argParser(parsePort)
        .env('TALLY_IMPORT_METRICS_PORT'),
    )
    .action(async (path: string, flags: ImportFlags) => {
      const metrics = flags.metricsPort === undefined ? null : new ImportMetrics();
      if (metrics) {
        const port = await metrics.listen(
          flags.metricsPort!,
          process.env.TALLY_METRICS_TOKEN ?? null,
        );
        console.error(`import metrics at http://127.0.0.1:${port}/metrics`);
      }
      const summary = await withStore(
        flags,
        async (store) => {
          const workspace = await requireWorkspace(store, flags.workspace);
          const controller = new AbortController();
          const stop = (): void => controller.abort();
          process.once('SIGINT', stop);
          const bar = progressBar();
          try {
            return await runImport({
              store,
              workspaceId: workspace.id,
              root: path,
              journal: new ImportJournal(flags.data),
              signal: controller.signal,
              ...(flags.eventType !== undefined ? { eventType: flags.eventType } : {}),
              ...(flags.watch ? { watchIntervalMs: flags.pollMs } : {}),
              onProgress: (progress) => {
                bar.update(progress);
                metrics?.update(progress);
              },
              onFileError: (message) => bar.log(`tally: import failed: ${message}`),
            });
          } catch (error) {
            throw error instanceof ExportPathError ? new CliError(error.message) : error;
          } finally {
            bar.stop();
            process.removeListener('SIGINT', stop);
          }
        },
        true,
      );
      await metrics?.close();
      process.stdout.write(formatSummary(summary));
      if (summary.failures.length > 0) process.exitCode = 1;
      // Ctrl-C is how --watch ends; a one-shot run it cut short has work left.
      else if (summary.interrupted && !flags.watch) process.exitCode = INTERRUPTED_EXIT_CODE;
    });
  withStoreOptions(command);
}
