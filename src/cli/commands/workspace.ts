/** `tally workspace create`, `list` and `set-timezone` (SPEC §1). */
import type { Command } from 'commander';
import {
  CliError,
  withStoreOptions,
  requireTimeZone,
  requireWorkspace,
  withStore,
  type StoreFlags,
} from '../common.js';
import { instant, printList } from '../table.js';

type DataFlags = StoreFlags;

export function registerWorkspaceCommands(program: Command): void {
  const workspace = program
    .command('workspace')
    .description('create and list workspaces, and set their reporting time zone');

  const create = workspace
    .command('create')
    .description('create a workspace (it owns campaigns, events and API keys)')
    .argument('<name>', 'workspace name')
    .option(
      '--timezone <zone>',
      'reporting time zone (IANA name): daily buckets are its days',
      'UTC',
    )
    .action(async (name: string, flags: DataFlags & { readonly timezone: string }) => {
      const zone = requireTimeZone(flags.timezone);
      await withStore(flags, async (store) => {
        if (await store.findWorkspaceByName(name)) {
          throw new CliError(`a workspace named ${JSON.stringify(name)} already exists`);
        }
        const created = await store.createWorkspace(name, zone);
        console.log(`created workspace ${JSON.stringify(name)} (${created.id}, time zone ${zone})`);
      });
    });
  withStoreOptions(create);

  const list = workspace
    .command('list')
    .description('list the workspaces: name, id, time zone, created')
    .option('--json', 'print a JSON array')
    .action(async (flags: DataFlags & { readonly json?: boolean }) => {
      await withStore(flags, async (store) => {
        printList(await store.listWorkspaces(), flags.json === true, [
          ['NAME', (w) => w.name],
          ['ID', (w) => w.id],
          ['TIME ZONE', (w) => w.timezone],
          ['CREATED', (w) => instant(w.createdAtMs)],
        ]);
      });
    });
  withStoreOptions(list);

  const setTimezone = workspace
    .command('set-timezone')
    .description('change the reporting time zone; past days are answered in the new zone too')
    .argument('<name>', 'workspace name')
    .argument('<zone>', 'IANA time zone name, e.g. Europe/Berlin')
    .action(async (name: string, zone: string, flags: DataFlags) => {
      requireTimeZone(zone);
      await withStore(flags, async (store) => {
        const found = await requireWorkspace(store, name);
        await store.setTimezone(found.id, zone);
        console.log(`workspace ${JSON.stringify(name)} now reports in ${zone}`);
      });
    });
  withStoreOptions(setTimezone);
}
