/** `tally key create`: prints only the key, so `KEY=$(tally key create ...)` just works. */
import type { Command } from 'commander';
import { createApiKey } from '../../api/keys.js';
import { isPermission, PERMISSIONS, type Permission } from '../../domain/permissions.js';
import {
  CliError,
  withStoreOptions,
  requireWorkspace,
  withStore,
  type StoreFlags,
} from '../common.js';

/** `all`, or a comma-separated list of permission names (SPEC §6). */
export function parsePermissions(list: string): Permission[] {
  if (list.trim() === 'all') return [...PERMISSIONS];
  const names = list
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const known = `known: ${PERMISSIONS.join(', ')}, or all`;
  if (names.length === 0) throw new CliError(`--permissions lists no permission (${known})`);
  const unknown = names.filter((name) => !isPermission(name));
  if (unknown.length > 0) {
    const listed = unknown.map((name) => JSON.stringify(name)).join(', ');
    throw new CliError(`unknown permission ${listed} (${known})`);
  }
  return [...new Set(names as Permission[])];
}

interface KeyFlags extends StoreFlags {
  readonly workspace: string;
  readonly permissions: string;
}

export function registerKeyCommands(program: Command): void {
  const create = program
    .command('key')
    .description('manage API keys')
    .command('create')
    .description('create an API key and print it (it is shown only once; only its hash is stored)')
    .requiredOption('--workspace <name>', 'workspace the key gives access to')
    .requiredOption(
      '--permissions <list>',
      `comma-separated permissions, or all (${PERMISSIONS.join(', ')})`,
    )
    .action(async (flags: KeyFlags) => {
      const permissions = parsePermissions(flags.permissions);
      await withStore(flags, async (store) => {
        const workspace = await requireWorkspace(store, flags.workspace);
        console.log(await createApiKey(store, workspace.id, permissions));
      });
    });
  withStoreOptions(create);
}
