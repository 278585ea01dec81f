/**
 * What the commands share: the `--data` option, opening the embedded store, and errors meant
 * for the user (CliError: printed as `tally: <message>` on stderr, exit code 1, no stack).
 */
import { InvalidArgumentError, Option } from 'commander';
import { isValidTimeZone } from '../domain/time.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store, Workspace } from '../store/store.js';

export class CliError extends Error {}

export const DEFAULT_DATA_DIR = './tally-data';

export function dataDirOption(): Option {
  return new Option('--data <dir>', 'folder of the embedded database').default(DEFAULT_DATA_DIR);
}

export function openStore(dataDir: string): Promise<Store> {
  return openSqliteStore({ dataDir });
}

/** Runs `use` with the store of `dataDir` open, and closes it however `use` ends. */
export async function withStore<T>(dataDir: string, use: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(dataDir);
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

export async function requireWorkspace(store: Store, name: string): Promise<Workspace> {
  const workspace = await store.findWorkspaceByName(name);
  if (!workspace) {
    throw new CliError(
      `no workspace named ${JSON.stringify(name)} (create it with: tally workspace create ${name})`,
    );
  }
  return workspace;
}

export function requireTimeZone(zone: string): string {
  if (!isValidTimeZone(zone)) {
    throw new CliError(
      `unknown time zone ${JSON.stringify(zone)}: use an IANA name such as UTC, Europe/Berlin or America/New_York`,
    );
  }
  return zone;
}

/** A commander argument parser for whole numbers in [min, max]. */
export function integerIn(min: number, max: number): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    }
    return value;
  };
}

export const parsePort = integerIn(0, 65_535);
