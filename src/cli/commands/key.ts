/**
 * `tally key create` (prints only the key, so `KEY=$(tally key create ...)` just works),
 * `tally key list` and `tally key revoke` (SPEC §6: keys are listed, never shown again, and
 * revoked; every API process refuses a revoked key within 10 seconds).
 */
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
import { instant, printList } from '../table.js';

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
  readonly expires?: string;
}

const DURATION = /^(\d+)([dh])$/;
const UNIT_MS = { d: 86_400_000, h: 3_600_000 } as const;

/** `--expires`: a duration from now (`30d`, `12h`) or an ISO 8601 date or instant (UTC). */
export function parseExpiry(text: string, nowMs: number): number {
  const duration = DURATION.exec(text.trim());
  const ms = duration
    ? nowMs + Number(duration[1]) * UNIT_MS[duration[2] as keyof typeof UNIT_MS]
    : /^\d{4}-\d{2}-\d{2}(T.*)?$/.test(text.trim())
      ? Date.parse(text.trim().length === 10 ? `${text.trim()}T00:00:00Z` : text.trim())
      : NaN;
  if (!Number.isFinite(ms)) {
    throw new CliError(
      `--expires ${JSON.stringify(text)}: give a duration such as 30d or 12h, or a date such as 2027-01-31`,
    );
  }
  if (ms <= nowMs) throw new CliError(`--expires ${JSON.stringify(text)} is already past`);
  return ms;
}

export function registerKeyCommands(program: Command): void {
  const key = program.command('key').description('create, list and revoke API keys');
  const create = key
    .command('create')
    .description('create an API key and print it (it is shown only once; only its hash is stored)')
    .requiredOption('--workspace <name>', 'workspace the key gives access to')
    .requiredOption(
      '--permissions <list>',
      `comma-separated permissions, or all (${PERMISSIONS.join(', ')})`,
    )
    .option('--expires <when>', 'refuse the key after this: a duration (30d, 12h) or a date')
    .action(async (flags: KeyFlags) => {
      const permissions = parsePermissions(flags.permissions);
      const nowMs = Date.now();
      const expiresAtMs = flags.expires === undefined ? null : parseExpiry(flags.expires, nowMs);
      await withStore(flags, async (store) => {
        const workspace = await requireWorkspace(store, flags.workspace);
        console.log(await createApiKey(store, workspace.id, permissions, { expiresAtMs, nowMs }));
      });
    });
  withStoreOptions(create);

  const list = key
    .command('list')
    .description("list a workspace's keys: id, prefix, permissions, dates (never the key itself)")
    .requiredOption('--workspace <name>', 'workspace whose keys to list')
    .option('--json', 'print a JSON array')
    .action(async (flags: StoreFlags & { readonly workspace: string; readonly json?: boolean }) => {
      await withStore(flags, async (store) => {
        const workspace = await requireWorkspace(store, flags.workspace);
        printList(await store.listApiKeys(workspace.id), flags.json === true, [
          ['ID', (k) => k.id],
          ['PREFIX', (k) => (k.prefix === '' ? '-' : `${k.prefix}…`)],
          [
            'PERMISSIONS',
            (k) => (k.permissions.length === PERMISSIONS.length ? 'all' : k.permissions.join(',')),
          ],
          ['CREATED', (k) => instant(k.createdAtMs)],
          ['LAST USED', (k) => instant(k.lastUsedMs)],
          ['EXPIRES', (k) => instant(k.expiresAtMs)],
          ['REVOKED', (k) => instant(k.revokedAtMs)],
        ]);
      });
    });
  withStoreOptions(list);

  const revoke = key
    .command('revoke')
    .description('revoke a key by its id (from key list): every API process refuses it within 10 s')
    .argument('<id>', 'the key id, e.g. key_3f2a9c1b7d0e')
    .action(async (id: string, flags: StoreFlags) => {
      await withStore(flags, async (store) => {
        const revoked = await store.revokeApiKey(id, Date.now());
        if (!revoked) {
          throw new CliError(
            `no key with id ${JSON.stringify(id)} (see: tally key list --workspace NAME)`,
          );
        }
        console.log(
          `revoked ${revoked.id} (${revoked.prefix || 'no prefix'}) at ${instant(revoked.revokedAtMs)}`,
        );
      });
    });
  withStoreOptions(revoke);
}
