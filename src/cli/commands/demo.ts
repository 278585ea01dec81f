/**
 * `tally demo`: loads a realistic demo workspace (once per data folder), creates a key, prints
 * commands to try, and serves. Running it again on the same folder serves the data already
 * there rather than loading again: a second load would take as long, and on a later day it
 * would generate other events (the data ends today) that would add to the first ones.
 */
import { Option, type Command } from 'commander';
import cliProgress from 'cli-progress';
import { createApiKey } from '../../api/keys.js';
import { PERMISSIONS } from '../../domain/permissions.js';
import type { Store, Workspace } from '../../store/store.js';
import {
  describeStore,
  integerIn,
  openStore,
  withStoreOptions,
  type StoreFlags,
} from '../common.js';
import { DEFAULT_DEMO_EVENTS, DEFAULT_DEMO_SEED, DEMO_DAYS } from '../demo/generator.js';
import { demoInstructions } from '../demo/instructions.js';
import { DEMO_WORKSPACE, installDemo } from '../demo/load.js';
import { MS_PER_DAY } from '../demo/rhythm.js';
import { listenOptions, operationOptions, type LOG_LEVELS } from './serve.js';

interface DemoFlags extends StoreFlags {
  readonly port: number;
  readonly host: string;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  readonly metrics: boolean;
  readonly metricsToken?: string;
  readonly events: number;
  readonly seed: number;
}

const dayOf = (ms: number): number => Math.floor(ms / MS_PER_DAY);

async function loadWithProgress(store: Store, flags: DemoFlags): Promise<Workspace> {
  const bar = new cliProgress.SingleBar(
    {
      format:
        'loading demo |{bar}| {percentage}% | {value}/{total} events | {speed} events/s | ETA {eta_formatted}',
      stream: process.stderr,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  const speed = (loaded: number): string =>
    Math.round(loaded / Math.max(0.001, (Date.now() - started) / 1000)).toLocaleString('en-US');
  bar.start(flags.events, 0, { speed: '0' });
  const { workspace, totals } = await installDemo(
    store,
    { seed: flags.seed, endDay: dayOf(started), events: flags.events },
    // The last recipients of a day complete their funnel, so a few more events than asked arrive.
    (loaded) => bar.update(Math.min(loaded, flags.events), { speed: speed(loaded) }),
  );
  bar.setTotal(totals.events);
  bar.update(totals.events, { speed: speed(totals.events) });
  bar.stop();
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.error(
    `loaded ${totals.events.toLocaleString('en-US')} events in ${seconds} s ` +
      `(${totals.accepted.toLocaleString('en-US')} counted, ${totals.ignored.toLocaleString('en-US')} stored but counting nowhere)`,
  );
  return workspace;
}

export function registerDemoCommand(program: Command): void {
  const command = withStoreOptions(program.command('demo'))
    .description(
      `load a demo workspace (${DEMO_DAYS} days of realistic campaign data), print an API key and commands to try, then serve`,
    )
    .addOption(
      new Option('--events <n>', 'how many events to generate (at least)')
        .argParser(integerIn(1, 100_000_000))
        .default(DEFAULT_DEMO_EVENTS),
    )
    .addOption(
      new Option('--seed <n>', 'random seed: the same seed gives the same data')
        .argParser(integerIn(0, 2 ** 32 - 1))
        .default(DEFAULT_DEMO_SEED),
    );
  for (const option of [...listenOptions(), ...operationOptions()]) command.addOption(option);
  command.action(async (flags: DemoFlags) => {
    const store = await openStore(flags, true);
    let workspace: Workspace;
    let key: string;
    try {
      const existing = await store.findWorkspaceByName(DEMO_WORKSPACE);
      if (existing) {
        console.error(
          `the demo is already loaded in ${describeStore(flags)}: serving it as it is (delete ${flags.store === 'clickhouse' ? 'the database' : 'the folder'} to load it again)`,
        );
      }
      workspace = existing ?? (await loadWithProgress(store, flags));
      key = await createApiKey(store, workspace.id, PERMISSIONS);
    } catch (error) {
      await store.close();
      throw error;
    }
    // Imported here, as in serve.ts: only serving commands pay for loading the API.
    const { serveApi } = await import('../server.js');
    const { url } = await serveApi(store, {
      port: flags.port,
      host: flags.host,
      logLevel: flags.logLevel,
      metrics: flags.metrics ? { token: flags.metricsToken ?? null } : null,
    });
    const endDay = dayOf(workspace.createdAtMs);
    console.log(demoInstructions({ url, key, endDay, nowMs: Date.now() }));
  });
}
